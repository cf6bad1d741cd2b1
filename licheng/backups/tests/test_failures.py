"""Failure tests: the server killed in the middle of uploads, a full disk during an upload, and a
restore drill of the demo school into an empty database and storage."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from licheng.backups.tests.conftest import run_ok, sha256_of
from licheng.backups.tests.deployment import ADD_FILES, BASE_DIR, INVENTORY, Deployment
from licheng.files.tests import corpus

# --- the restore drill ----------------------------------------------------------------------------


def only_run(deployment: Deployment) -> Path:
    [run] = [p for p in (deployment.backups / "runs").iterdir() if p.is_dir()]
    return run


def stored_on_disk(deployment: Deployment) -> set[str]:
    root = deployment.storage / "sha256"
    return (
        {p.relative_to(deployment.storage).as_posix() for p in root.rglob("*") if p.is_file()}
        if root.exists()
        else set()
    )


def test_restore_drill_demo_school_into_an_empty_deployment(deployment_factory: Callable[[str], Deployment]) -> None:
    source = deployment_factory("source")
    run_ok(source.manage("demo_school", "--students", "10"))  # the smallest demo school
    uploaded = source.python(ADD_FILES)
    before = source.python(INVENTORY)
    run_ok(source.manage("backup"))  # its own audit entry comes after the snapshot
    manifest = json.loads((only_run(source) / "manifest.json").read_text())
    assert manifest["database"]["tables"] == before["tables"]
    assert before["tables"]["people.student"] >= 10 and before["tables"]["files.storedfile"] >= 12
    assert set(uploaded) <= set(before["files"]) and all(before["files"].values())

    # A damaged backup is refused, and the empty deployment stays empty.
    damaged = source.root / "damaged-backup"
    shutil.copytree(source.backups, damaged)
    victim = damaged / "blobs" / uploaded[0]
    data = bytearray(victim.read_bytes())
    data[100] ^= 0x01
    victim.write_bytes(bytes(data))
    target = deployment_factory("target")
    refused = target.manage("restore", str(damaged), check=False)
    assert refused.returncode != 0
    assert f"{uploaded[0]} 的備份副本遺失或損壞" in refused.stderr  # commands speak the default language
    assert "未做任何變更" in refused.stderr
    empty = target.python(INVENTORY)
    assert {label: n for label, n in empty["tables"].items() if n} == {
        label: n
        for label, n in empty["tables"].items()
        if n and label in ("contenttypes.contenttype", "auth.permission")
    }
    assert stored_on_disk(target) == set()

    # The good backup restores: every row count and every file's hash as in the source.
    output = run_ok(target.manage("restore", str(source.backups)))
    assert "every file's SHA-256 verified" in output
    after = target.python(INVENTORY)
    assert after["tables"] == before["tables"]
    assert after["files"] == before["files"] and all(after["files"].values())
    assert after["audit_checked"] == before["audit_checked"] > 0 and after["audit_problems"] == 0
    for name in before["files"]:
        assert sha256_of(target.storage / name) == sha256_of(source.storage / name) == name.rsplit("/", 1)[1]
    # The demo accounts log in with their passwords; encrypted national IDs read back.
    check = target.python(
        "import json\nfrom django.contrib.auth import authenticate\nfrom django_scopes import scopes_disabled\n"
        "from licheng.people.models import Student\n"
        "with scopes_disabled():\n"
        "    ids = [s.national_id for s in Student.objects.all()]\n"
        "print(json.dumps([authenticate(username='student', password='Licheng-demo-2026') is not None, ids]))"
    )
    assert (
        check[0] is True
        and len(check[1]) == before["tables"]["people.student"]
        and all(re.fullmatch(r"[A-Z][0-9A-Z]\d{8}", i) for i in check[1])
    )

    # A second restore into the now non-empty deployment is refused and changes nothing.
    again = target.manage("restore", str(source.backups), check=False)
    assert again.returncode != 0 and "此平臺並非空白" in again.stderr
    assert target.python(INVENTORY) == after


# --- killing the server during uploads ------------------------------------------------------------

SETUP_UPLOADS = """
import datetime, json
from django.urls import reverse
from django.utils import timezone
from licheng.testing.personas import build_personas
from django_scopes import scopes_disabled
with scopes_disabled():
    p = build_personas()
    today = timezone.localdate()
    p.term.upload_opens_on = today - datetime.timedelta(days=1)
    p.term.upload_closes_on = today + datetime.timedelta(days=10)
    p.term.save()
    p.student_user.set_password("kill-test-password")
    p.student_user.save()
print(json.dumps({"username": p.student_user.username, "course": p.course.pk, "login": reverse("login"),
                  "upload": reverse("portfolio:my_outcomes")}))
"""

CRASH_STATE = """
import json
from django_scopes import scopes_disabled
from licheng.files.models import StoredFile
from licheng.files.services import file_verify
from licheng.portfolio.models import CourseOutcome, CourseOutcomeFile
with scopes_disabled():
    rows = list(StoredFile.objects.all())
    print(json.dumps({
        "files": {f.sha256: file_verify(f) for f in rows},
        "ids": {row.stored_file.sha256: row.pk for row in CourseOutcomeFile.objects.select_related("stored_file")},
        "unlinked_files": StoredFile.objects.exclude(pk__in=CourseOutcomeFile.objects.values("stored_file")).count(),
        "outcomes_without_files": CourseOutcome.objects.exclude(versions__outcome_files__isnull=False).count(),
    }))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``manage.py runserver`` for one deployment, killed with SIGKILL (no clean-up runs)."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, str(BASE_DIR / "manage.py"), "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            cwd=BASE_DIR,
            env=self.deployment.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def server(deployment_factory: Callable[[str], Deployment]) -> Iterator[tuple[Server, dict[str, Any]]]:
    deployment = deployment_factory("crash")
    info = deployment.python(SETUP_UPLOADS)
    srv = Server(deployment)
    yield srv, info
    if srv.process is not None:
        srv.kill()


def logged_in(srv: Server, info: dict[str, Any]) -> requests.Session:
    session = requests.Session()
    page = session.get(srv.url + info["login"], timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    response = session.post(
        srv.url + info["login"],
        data={"username": info["username"], "password": "kill-test-password", "csrfmiddlewaretoken": token.group(1)},
        timeout=10,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def multipart(info: dict[str, Any], token: str, data: bytes, name: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in (("csrfmiddlewaretoken", token), ("course", str(info["course"])), ("description", "期末報告")):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(srv: Server, info: dict[str, Any], session: requests.Session, data: bytes, name: str) -> requests.Response:
    body, content_type = multipart(info, session.cookies.get("csrftoken") or "", data, name)
    return session.post(
        srv.url + info["upload"], data=body, headers={"Content-Type": content_type}, timeout=60, allow_redirects=False
    )


def send_part(srv: Server, info: dict[str, Any], session: requests.Session, data: bytes, fraction: float) -> None:
    """Send the request's headers and ``fraction`` of its body, and leave the connection open."""
    body, content_type = multipart(info, session.cookies.get("csrftoken") or "", data, "cut.pdf")
    cookies = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    head = (
        f"POST {info['upload']} HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nCookie: {cookies}\r\n\r\n"
    ).encode()
    connection = socket.create_connection(("127.0.0.1", srv.port))
    connection.sendall(head + body[: int(len(body) * fraction)])
    time.sleep(0.5)  # the server has read what arrived and written it to its temporary file
    srv.kill()
    connection.close()


def test_killing_the_server_during_uploads_loses_nothing_acknowledged(server: tuple[Server, dict[str, Any]]) -> None:
    srv, info = server
    deployment = srv.deployment
    acknowledged: dict[str, bytes] = {}
    srv.start()
    session = logged_in(srv, info)
    session.get(srv.url + info["upload"], timeout=10)
    for n in range(3):
        data = corpus.pdf_of_size(200_000 + n, token=f"done {n}".encode())
        response = upload(srv, info, session, data, f"done{n}.pdf")
        assert response.status_code == 302, response.text[:1000]
        acknowledged[hashlib.sha256(data).hexdigest()] = data

    # Killed while the body of a 3 MB upload is arriving.
    big = corpus.pdf_of_size(3_000_000, token=b"cut in the middle")
    send_part(srv, info, session, big, 0.4)
    # Killed at random moments after whole uploads were sent (reading, checking, storing, committing).
    for n, delay in enumerate((0.05, 0.2, 0.4)):
        srv.start()
        data = corpus.pdf_of_size(1_500_000 + n, token=f"racing {n}".encode())
        body, content_type = multipart(info, session.cookies.get("csrftoken") or "", data, f"race{n}.pdf")
        cookies = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
        head = (
            f"POST {info['upload']} HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nCookie: {cookies}\r\nConnection: close\r\n\r\n"
        ).encode()
        connection = socket.create_connection(("127.0.0.1", srv.port))
        connection.sendall(head + body)
        time.sleep(delay)
        connection.settimeout(0.01)
        try:
            answer = connection.recv(64)
        except (TimeoutError, OSError):
            answer = b""
        if answer.startswith(b"HTTP/1.1 302"):
            acknowledged[hashlib.sha256(data).hexdigest()] = data
        srv.kill()
        connection.close()

    state = deployment.python(CRASH_STATE)
    # Nothing acknowledged is missing; every row's bytes verify; no row without its outcome.
    assert set(acknowledged) <= set(state["files"])
    assert all(state["files"].values())
    assert state["unlinked_files"] == 0 and state["outcomes_without_files"] == 0
    # No partial file under a stored name: every stored file's content matches its name. (A kill
    # between writing and renaming leaves a hidden ``.incoming-*`` name beside it, never the name.)
    for name in stored_on_disk(deployment):
        if not name.rsplit("/", 1)[1].startswith("."):
            assert sha256_of(deployment.storage / name) == name.rsplit("/", 1)[1], name
    assert hashlib.sha256(big).hexdigest() not in state["files"]
    # What a crash can leave (a temporary upload, bytes stored just before the kill) goes with the
    # daily sweep; what is referenced stays.
    assert any((deployment.storage / ".incoming").iterdir()), "the kill did not land in the middle of an upload"
    print(f"acknowledged {len(acknowledged)} of 6 uploads; rows {len(state['files'])}")
    run_ok(deployment.manage("files_sweep", "--hours", "0"))
    assert not any((deployment.storage / ".incoming").iterdir())
    left = stored_on_disk(deployment)
    assert all(sha256_of(deployment.storage / name) == name.rsplit("/", 1)[1] for name in left)
    assert set(state["files"]) <= {name.rsplit("/", 1)[1] for name in left}

    # After a restart every acknowledged upload is served back, byte for byte.
    srv.start()
    session = logged_in(srv, info)
    for sha, data in acknowledged.items():
        response = session.get(f"{srv.url}/portfolio/files/{state['ids'][sha]}/", timeout=10)
        assert response.status_code == 200 and response.content == data


# --- a full disk ----------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """Private storage on a real 2 MB file system (tmpfs; needs root, as in CI's container)."""
    root = tmp_path / "small"
    root.mkdir()
    mounted = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(root)],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        if os.environ.get("CI"):
            raise AssertionError(f"cannot mount a small file system in CI: {mounted.stderr.decode()}")
        pytest.skip(f"cannot mount a small file system here (needs root): {mounted.stderr.decode().strip()}")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None, "file_permissions_mode": 0o600},
        },
    }
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], check=True)  # noqa: S603, S607


def noise_png(side: int) -> bytes:
    """A PNG that does not compress (random pixels): re-encoding it keeps about its size."""
    import io

    from PIL import Image

    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.mark.django_db
def test_full_disk_during_an_upload_is_a_clear_error_and_nothing_is_half_written(
    personas: Any, small_disk: Path
) -> None:
    """The upload streams into the storage's temporary folder; the re-encoded image is then written
    beside it and the disk fills up half-way through that write."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from django.utils import timezone

    from licheng.files.models import StoredFile
    from licheng.portfolio.models import CourseOutcome
    from licheng.testing.clients import client_in

    p = personas
    today = timezone.localdate()
    p.term.upload_opens_on, p.term.upload_closes_on = (
        today - datetime.timedelta(days=1),
        today + datetime.timedelta(days=9),
    )
    p.term.save()
    image = noise_png(420)  # about 530 KB, re-encoded to about the same
    free = shutil.disk_usage(small_disk).free
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (free - len(image) - len(image) // 2))  # room for the upload, not for its copy
    before = {p.relative_to(small_disk).as_posix() for p in small_disk.rglob("*") if p.is_file()}

    response = client_in("en", p.student_user).post(
        reverse("portfolio:my_outcomes"),
        {"course": p.course.pk, "description": "海報", "files": [SimpleUploadedFile("poster.png", image)]},
    )
    page = response.content.decode()
    assert response.status_code == 422  # the form again, with the message
    assert "The server has no room left to store the file. Nothing was saved." in page, page
    assert StoredFile.objects.count() == 0 and CourseOutcome.objects.count() == 0
    after = {p.relative_to(small_disk).as_posix() for p in small_disk.rglob("*") if p.is_file()}
    assert after == before  # no partial file, no temporary file left behind


@pytest.mark.django_db
def test_a_disk_that_fills_while_the_upload_arrives_is_a_clear_error_and_leaves_nothing(
    personas: Any, small_disk: Path
) -> None:
    """The disk fills before the body has even been read to its end."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from django.utils import timezone

    from licheng.files.models import StoredFile
    from licheng.portfolio.models import CourseOutcome
    from licheng.testing.clients import client_in

    p = personas
    today = timezone.localdate()
    p.term.upload_opens_on, p.term.upload_closes_on = (
        today - datetime.timedelta(days=1),
        today + datetime.timedelta(days=9),
    )
    p.term.save()
    image = noise_png(420)
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(b"\0" * (free - len(image) // 2))  # room for half of it
    before = {p.relative_to(small_disk).as_posix() for p in small_disk.rglob("*") if p.is_file()}

    response = client_in("en", p.student_user).post(
        reverse("portfolio:my_outcomes"),
        {"course": p.course.pk, "description": "海報", "files": [SimpleUploadedFile("poster.png", image)]},
    )
    page = response.content.decode()
    assert response.status_code < 500
    assert "The server has no room left to store the file. Nothing was saved." in page, page
    assert StoredFile.objects.count() == 0 and CourseOutcome.objects.count() == 0
    after = {p.relative_to(small_disk).as_posix() for p in small_disk.rglob("*") if p.is_file()}
    assert after == before  # the half-written temporary file is gone too
