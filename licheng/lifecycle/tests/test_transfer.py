"""Transfer out of one school and into another: the package carries every record and every file, hash
for hash; a bad package is refused with a clear message and changes nothing."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import pyzipper
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from licheng.audit.models import AuditEntry
from licheng.files.models import StoredFile
from licheng.files.services import file_open, hash_stored
from licheng.files.tests import corpus
from licheng.lifecycle.models import PackageState, TransferIn, TransferPackage, TransferredRecord
from licheng.lifecycle.selectors import submission_tags
from licheng.people.models import Student
from licheng.records.models import Grade
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas

from .conftest import fill_portfolio, stored_blobs

pytestmark = pytest.mark.django_db


# The password each package built here was shown with, by the package's SHA-256 (the registry is
# shown it once on the package's page; the receiving registry types it in).
PASSWORDS: dict[str, str] = {}


def show_password(client: Any, package: TransferPackage) -> str:
    page = client.post(reverse("lifecycle:package_password", args=[package.pk])).content.decode()
    found = re.search(r'<code class="password">([A-Z0-9-]+)</code>', page)
    assert found is not None, page[:2000]
    return found.group(1)


def open_package(data: bytes) -> Any:
    archive = pyzipper.AESZipFile(io.BytesIO(data))
    archive.setpassword(PASSWORDS.get(hashlib.sha256(data).hexdigest(), "").encode())
    return archive


def transfer_out(p: Personas, capture: Any) -> bytes:
    """The registry records the transfer out; the package is built; the registry downloads it and
    is shown its password."""
    client = client_in("en", p.registry)
    with capture(execute=True):
        response = client.post(
            reverse("lifecycle:change", args=[p.student.pk, "transfer_out"]),
            {
                "transfer_out-effective_on": "115.01.20",
                "confirmed": "1",
                "transfer_out-other_school_code": p.other_school.code,
                "transfer_out-other_school_name": p.other_school.name,
            },
        )
    assert response.status_code == 302
    package = TransferPackage.objects.get(student=p.student)
    assert package.state == PackageState.READY, package.error
    assert package.file_name == f"transfer-{p.school.code}-{p.student.student_number}.zip"
    download = client.get(reverse("lifecycle:package_download", args=[package.pk]))
    assert download.status_code == 200
    assert package.file_name in download["Content-Disposition"]
    data = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(data).hexdigest() == package.sha256
    PASSWORDS[package.sha256] = show_password(client, package)
    return data


def upload(
    p: Personas,
    data: bytes,
    *,
    name: str = "transfer.zip",
    user: Any = None,
    number: str = "1150001",
    password: str | None = None,
) -> Any:
    client = client_in("en", user or p.outsider)
    if password is None:
        password = PASSWORDS.get(hashlib.sha256(data).hexdigest(), "")
    return client.post(
        reverse("lifecycle:transfer_in"),
        {
            "package": SimpleUploadedFile(name, data, content_type="application/zip"),
            "student_number": number,
            "effective_on": "115.02.01",
            "password": password,
        },
    )


def rewrite(data: bytes, replace: dict[str, bytes | None], *, fix_manifest: bool) -> bytes:
    """The package with entries replaced (None removes one), its manifest recomputed or left as it
    was; written unencrypted, as an older make of package was."""
    source = open_package(data)
    entries = {name: source.read(name) for name in source.namelist()}
    for name, value in replace.items():
        if value is None:
            entries.pop(name, None)
        else:
            entries[name] = value
    if fix_manifest:
        entries.pop("manifest-sha256.txt")
        entries["manifest-sha256.txt"] = "".join(
            f"{hashlib.sha256(value).hexdigest()}  {name}\n" for name, value in entries.items()
        ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, value in entries.items():
            archive.writestr(name, value)
    return out.getvalue()


def test_transfer_carries_every_record_and_file_with_matching_hashes(
    personas: Personas, storage_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    p = personas
    originals = fill_portfolio(p)
    data = transfer_out(p, django_capture_on_commit_callbacks)
    p.student.refresh_from_db()
    assert p.student.status == "transferred_out" and p.student.sealed_at is not None

    archive = open_package(data)
    names = set(archive.namelist())
    assert {"package.json", "manifest-sha256.txt", "profile.json", "course_records.json"} <= names
    assert json.loads(archive.read("package.json"))["format"] == "licheng-transfer"
    manifest: dict[str, str] = {}
    for line in archive.read("manifest-sha256.txt").decode().splitlines():
        sha, name = line.split("  ", 1)
        manifest[name] = sha
    assert set(manifest) == names - {"manifest-sha256.txt"}
    for name, sha in manifest.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == sha
    outcomes = json.loads(archive.read("course_outcomes.json"))
    assert outcomes[0]["versions"][0]["state"] == "passed"
    assert outcomes[0]["versions"][0]["decided_by"] == "李老師" and outcomes[0]["selected"]
    assert json.loads(archive.read("performances.json"))[0]["selected"]

    response = upload(p, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    student = Student.objects.get(school=p.other_school)
    assert (student.name, student.national_id, student.student_number) == (
        p.student.name,
        p.student.national_id,
        "1150001",
    )
    assert student.status == "enrolled" and student.sealed_at is None
    transfer = TransferIn.objects.get(student=student)
    assert transfer.origin_school_code == p.school.code
    kinds = sorted(TransferredRecord.objects.filter(student=student).values_list("kind", flat=True))
    assert kinds == ["course_outcome", "course_record", "course_record", "performance", "writing"]
    outcome = TransferredRecord.objects.get(student=student, kind="course_outcome")
    assert outcome.state == "passed"
    grades = Grade.objects.filter(student=student)
    assert grades.count() == 2
    assert all(g.variant == "transfer" and g.mapped_academic_year == 114 for g in grades)
    assert sorted(str(g.transfer_score) for g in grades) == ["88.50", "91.00"]
    tags = submission_tags(student)
    assert tags.transferred_from == p.school.code and tags.submitted

    imported = StoredFile.objects.filter(school=p.other_school)
    assert sorted(f.sha256 for f in imported) == sorted(f.sha256 for f in originals)
    for stored in imported:
        assert hash_stored(stored.storage_name) == stored.sha256
        with file_open(stored) as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == stored.sha256
    assert {f.original_name for f in imported} == {f.original_name for f in originals}
    assert AuditEntry.objects.filter(action="lifecycle.transfer_in").count() == 1

    # The new student reads the files that came with them; the old school's registry does not.
    page = client_in("en", p.outsider).get(reverse("lifecycle:student", args=[student.pk])).content.decode()
    assert "Records from before the transfer" in page and "讀書報告.pdf" in page
    link = outcome.files.get(stored_file__original_name="讀書報告.pdf")
    assert client_in("en", student.user).get(reverse("lifecycle:transferred_file", args=[link.pk])).status_code == 200
    assert client_in("en", p.registry).get(reverse("lifecycle:transferred_file", args=[link.pk])).status_code == 404


@pytest.fixture
def package(personas: Personas, storage_root: Path, django_capture_on_commit_callbacks: Any) -> bytes:
    fill_portfolio(personas)
    return transfer_out(personas, django_capture_on_commit_callbacks)


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["學號", "姓名"])  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ordinary_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("作品.pdf", corpus.pdf())
    return out.getvalue()


def _first_file(data: bytes) -> str:
    return next(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("files/"))


BAD = {
    "bad hash": (
        lambda data: rewrite(data, {_first_file(data): b"changed bytes"}, fix_manifest=False),
        "does not match its SHA-256 hash",
    ),
    "missing file": (lambda data: rewrite(data, {_first_file(data): None}, fix_manifest=False), "lacks files/"),
    "file not in manifest": (
        lambda data: rewrite(data, {"extra.txt": b"hello"}, fix_manifest=False),
        "which its manifest does not list",
    ),
    "records name a missing file": (
        lambda data: rewrite(data, {_first_file(data): None}, fix_manifest=True),
        "which the package does not hold",
    ),
    "ordinary zip": (lambda data: _ordinary_zip(), "not a transfer package"),
    "xlsx": (lambda data: _xlsx(), "not a transfer package"),
    "not a zip": (lambda data: b"%PDF-1.4 not a zip", "not a transfer package"),
    "other format": (
        lambda data: rewrite(
            data, {"package.json": json.dumps({"format": "other", "version": 1}).encode()}, fix_manifest=True
        ),
        "not a transfer package",
    ),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_a_bad_package_is_refused_and_changes_nothing(case: str, personas: Personas, package: bytes) -> None:
    p = personas
    make, message = BAD[case]
    root_files = stored_blobs(Path(_root()))
    students, files, audits = Student.objects.count(), StoredFile.objects.count(), AuditEntry.objects.count()
    response = upload(p, make(package))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (Student.objects.count(), StoredFile.objects.count(), AuditEntry.objects.count()) == (
        students,
        files,
        audits,
    )
    assert TransferIn.objects.count() == 0 and Grade.objects.filter(school=p.other_school).count() == 0
    assert stored_blobs(Path(_root())) == root_files


def _root() -> str:
    from django.core.files.storage import default_storage

    return default_storage.location  # type: ignore[attr-defined,no-any-return]


def test_a_file_refused_half_way_leaves_no_row_and_no_bytes(personas: Personas, package: bytes) -> None:
    """A package whose hashes are right but whose last file is not an allowed file: everything stored
    before it is removed again."""
    p = personas
    archive = open_package(package)
    performances = json.loads(archive.read("performances.json"))
    exe = corpus.exe()
    sha = hashlib.sha256(exe).hexdigest()
    performances[0]["files"].append(
        {"path": f"files/{sha}", "sha256": sha, "name": "病毒.pdf", "content_type": "application/pdf", "size": len(exe)}
    )
    bad = rewrite(
        package,
        {"performances.json": json.dumps(performances, ensure_ascii=False).encode(), f"files/{sha}": exe},
        fix_manifest=True,
    )
    before = stored_blobs(Path(_root()))
    response = upload(p, bad)
    assert response.status_code == 400
    assert "病毒.pdf" in response.content.decode(), re.findall(
        r"id_package_error.{0,400}", response.content.decode(), re.S
    )
    assert StoredFile.objects.filter(school=p.other_school).count() == 0
    assert Student.objects.filter(school=p.other_school).count() == 0
    assert stored_blobs(Path(_root())) == before


def test_a_student_already_at_the_school_is_refused(personas: Personas, package: bytes) -> None:
    p = personas
    students, files = Student.objects.count(), StoredFile.objects.count()
    response = upload(p, package, user=p.registry)  # back into the school they left: still on its roll
    assert response.status_code == 400
    assert "already a student of this school" in response.content.decode()
    assert (Student.objects.count(), StoredFile.objects.count()) == (students, files)


def test_only_registry_and_admin_import(personas: Personas, package: bytes) -> None:
    p = personas
    assert upload(p, package, user=p.subject_teacher).status_code == 403
    assert upload(p, package, user=p.student_user).status_code == 403
    assert Student.objects.filter(school=p.other_school).count() == 0


def test_a_lost_file_fails_the_package_visibly_and_it_can_be_made_again(
    personas: Personas, storage_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    p = personas
    files = fill_portfolio(p)
    lost = storage_root / files[0].storage_name
    kept = lost.read_bytes()
    lost.unlink()
    client = client_in("en", p.registry)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("lifecycle:change", args=[p.student.pk, "transfer_out"]),
            {"transfer_out-effective_on": "115.01.20", "confirmed": "1"},
        )
    package = TransferPackage.objects.get()
    assert package.state == PackageState.FAILED
    page = client.get(reverse("lifecycle:student", args=[p.student.pk])).content.decode()
    assert "could not be read" in page
    assert client.get(reverse("lifecycle:package_download", args=[package.pk])).status_code == 404
    lost.write_bytes(kept)  # repaired from the backup
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("lifecycle:package_request", args=[p.student.pk]))
    assert TransferPackage.objects.filter(state=PackageState.READY).count() == 1


def test_the_package_is_encrypted_and_its_password_is_shown_once(
    personas: Personas, storage_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    """profile.json holds the national ID and birth date: no entry is readable without the password
    (issue 13, finding 3)."""
    p = personas
    fill_portfolio(p)
    data = transfer_out(p, django_capture_on_commit_callbacks)
    assert p.student.national_id.encode() not in data
    plain = zipfile.ZipFile(io.BytesIO(data))
    with pytest.raises(RuntimeError, match="encrypted"):
        plain.read("profile.json")
    assert json.loads(open_package(data).read("profile.json"))["national_id"] == p.student.national_id
    package = TransferPackage.objects.get(student=p.student)
    assert package.password_cipher == "" and package.password_shown_to == p.registry
    assert AuditEntry.objects.filter(action="lifecycle.package_password_shown").count() == 1
    # Shown once: asking again tells how to get a new one, and shows no password.
    client = client_in("en", p.registry)
    again = client.post(reverse("lifecycle:package_password", args=[package.pk]), follow=True).content.decode()
    assert "already shown" in again and 'class="password"' not in again
    page = client.get(reverse("lifecycle:student", args=[p.student.pk])).content.decode()
    assert "encrypted (AES-256)" in page and "Password shown on" in page


def test_the_receiving_school_needs_the_password(
    personas: Personas, storage_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    p = personas
    fill_portfolio(p)
    data = transfer_out(p, django_capture_on_commit_callbacks)
    before = (Student.objects.count(), AuditEntry.objects.count())
    missing = upload(p, data, password="")
    assert missing.status_code == 400 and "protected by a password" in missing.content.decode()
    wrong = upload(p, data, password="AAAA-BBBB-CCCC-DDDD-EEEE")
    assert wrong.status_code == 400 and "does not open" in wrong.content.decode()
    assert (Student.objects.count(), AuditEntry.objects.count()) == before
    right = upload(p, data, password=PASSWORDS[hashlib.sha256(data).hexdigest()].lower())
    assert right.status_code == 302
