"""Upload rush: ≥100 students post 4 MB PDFs at once to the app served as in production (gunicorn,
PostgreSQL, the full middleware stack, sessions, CSRF, the real file pipeline), and the same bodies
to a bare WSGI handler that only streams them to files on disk (see BARE_MODE), under the same
gunicorn settings.

    scripts/bench.sh upload      (needs DATABASE_URL pointing at a PostgreSQL it may migrate)

Prints detail lines, then exactly one summary line:
    upload: ratio=R uploads_per_s=U p99_ms=P errors=E lost=L
R is the app's throughput over the bare handler's; ``lost`` counts acknowledged uploads whose stored
bytes do not verify afterwards (or that have no row).

This file is also the WSGI module gunicorn runs (``bench_upload:bare_application`` and
``bench_upload:django_application()``), so it stays self-contained.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_UPLOAD_CLIENTS", "100"))
SECONDS = float(os.environ.get("BENCH_UPLOAD_SECONDS", "20"))
# gunicorn's rule of thumb for sync workers: 2 × cores + 1, for both servers alike.
WORKERS = int(os.environ.get("BENCH_UPLOAD_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
# Threads per worker, for both servers alike (gunicorn's gthread worker above 1). Default 1, the sync
# workers of docs/deployment.md; 4 was measured too, against the "discard" baseline (ratio 0.36 vs
# 0.31: the app did not gain, the bare handler lost to the GIL).
THREADS = int(os.environ.get("BENCH_UPLOAD_THREADS", "1"))
ROUNDS = int(os.environ.get("BENCH_UPLOAD_ROUNDS", "3"))
PDF_BYTES = 4_000_000  # "4 MB", under the 4 MiB document limit
LIMIT = 4 * 1024 * 1024
TOKEN_LEN = 32
CSRF = "b" * 32
BOUNDARY = "----licheng-bench-boundary-7d1f0"


# --- the two servers ------------------------------------------------------------------------------


# What the bare handler does with each body. "disk" (the default): write it to a new file and fsync
# it before answering, so the body is on disk as the issue's "a bare handler that only streams the
# same bodies to disk" says, whatever the machine's memory (without the fsync, how much of a short
# run reaches the disk depends on the kernel's dirty-page limits). "discard": write it to a
# temporary file that is deleted at once, so its bytes never leave the page cache: the baseline
# before 2026-11-22, kept to compare figures with older runs.
BARE_MODE = os.environ.get("BENCH_UPLOAD_BARE", "disk")


def bare_application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Only stream the request body to a file on disk."""
    stream = environ["wsgi.input"]
    remaining = int(environ.get("CONTENT_LENGTH") or 0)
    with tempfile.NamedTemporaryFile(dir=os.environ.get("BENCH_TMP"), delete=BARE_MODE == "discard") as fh:
        while remaining > 0:
            chunk = stream.read(min(64 * 1024, remaining))
            if not chunk:
                break
            fh.write(chunk)
            remaining -= len(chunk)
        if BARE_MODE == "disk":
            fh.flush()
            os.fsync(fh.fileno())
    body = b'{"ok": true}'
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def django_application() -> Any:
    """The Licheng WSGI application with one extra route, ``/bench/upload/``: a student's upload
    through ``upload_view`` + ``limit_upload`` + ``file_ingest``, as a portfolio page would."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licheng.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.http import HttpRequest, HttpResponse, JsonResponse
    from django.urls import include, path

    from licheng.audit.services import Actor
    from licheng.core.permissions import school_view
    from licheng.files.services import FileRejected, file_ingest
    from licheng.files.upload import limit_upload, upload_route, upload_view

    # Declared like every upload route (``UPLOAD_ROUTES``): the upload middleware refuses files on a
    # route that declares no limit.
    @upload_route("bench_upload", lambda request: LIMIT)
    @upload_view(lambda request: LIMIT)
    @school_view()
    def upload(request: HttpRequest) -> HttpResponse:
        try:
            limit_upload(request, LIMIT)
            if "file" not in request.FILES:
                raise FileRejected("no file")
            stored = file_ingest(
                actor=Actor.from_request(request),
                school=request.school,  # type: ignore[attr-defined]
                upload=request.FILES["file"],  # type: ignore[arg-type]
                kinds=("document",),
                document_max_bytes=LIMIT,
                media_max_bytes=LIMIT,
            )
        except FileRejected as error:
            return JsonResponse({"error": error.message}, status=400)
        return JsonResponse({"id": stored.pk, "sha256": stored.sha256})

    module = type(sys)("bench_upload_urls")
    module.urlpatterns = [path("bench/upload/", upload, name="bench_upload"), path("", include(settings.ROOT_URLCONF))]  # type: ignore[attr-defined]
    sys.modules["bench_upload_urls"] = module
    settings.ROOT_URLCONF = "bench_upload_urls"
    from django.core.wsgi import get_wsgi_application

    import licheng.wsgi  # noqa: F401 - starts up as a gunicorn worker does (licheng/wsgi.py)

    return get_wsgi_application()


# --- the body -------------------------------------------------------------------------------------


def make_pdf() -> bytes:
    """A one-page PDF around an uncompressed RGB image of random pixels (so nothing in the path can
    compress or recognise it), about 4 MB. The first 32 bytes of the pixels are a per-upload token."""
    import io

    import pikepdf

    width = 1150
    height = (PDF_BYTES - 1500) // (width * 3)
    pixels = bytearray(os.urandom(width * height * 3))
    pixels[:TOKEN_LEN] = b"T" * TOKEN_LEN
    document = pikepdf.new()
    document.add_blank_page(page_size=(595, 842))
    image = document.make_stream(
        bytes(pixels),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=width,
        Height=height,
        ColorSpace=pikepdf.Name.DeviceRGB,
        BitsPerComponent=8,
    )
    page = document.pages[0]
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = document.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    out = io.BytesIO()
    document.save(out, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    data = out.getvalue()
    assert data.count(b"T" * TOKEN_LEN) == 1
    return data


class Body:
    """The multipart body, with the token spliced in per upload (same length, still a valid PDF)."""

    def __init__(self, pdf: bytes) -> None:
        head = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{CSRF}\r\n"
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="file"; filename="學習成果.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        at = pdf.index(b"T" * TOKEN_LEN)
        self.before = head + pdf[:at]
        self.after = pdf[at + TOKEN_LEN :] + tail
        self.length = len(self.before) + TOKEN_LEN + len(self.after)

    def parts(self, token: bytes) -> list[bytes]:
        assert len(token) == TOKEN_LEN
        return [self.before, token, self.after]

    def pdf_sha256(self, token: bytes) -> str:
        import hashlib

        head_len = self.before.index(b"%PDF-")
        digest = hashlib.sha256(self.before[head_len:])
        digest.update(token)
        digest.update(self.after[: -len(f"\r\n--{BOUNDARY}--\r\n")])
        return digest.hexdigest()


# --- the load -------------------------------------------------------------------------------------


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors = 0
        self.error_samples: list[str] = []
        # (id, sha256 answered, token sent): the sent bytes' hash is worked out after the run, so the
        # load does no more work for the app's uploads than for the bare handler's.
        self.acknowledged: list[tuple[int, str, bytes]] = []
        self.first_start = 0.0
        self.last_end = 0.0


_serial = iter(range(1, 10**9))


def client_loop(port: int, path: str, body: Body, cookies: str, deadline: float, results: Results, index: int) -> None:
    n = 0
    while time.monotonic() < deadline:
        n = next(_serial)
        token = f"{index:06d}-{n:09d}-".encode().ljust(TOKEN_LEN, b"x")
        started = time.monotonic()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.putrequest("POST", path, skip_accept_encoding=True)
            conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
            conn.putheader("Content-Length", str(body.length))
            conn.putheader("Cookie", cookies)
            conn.endheaders()
            for part in body.parts(token):
                conn.send(part)
            response = conn.getresponse()
            payload = response.read()
            conn.close()
            ended = time.monotonic()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}: {payload[:200]!r}")
            answer = json.loads(payload)
            with results.lock:
                results.latencies.append(ended - started)
                results.last_end = max(results.last_end, ended)
                if "id" in answer:
                    results.acknowledged.append((answer["id"], answer["sha256"], token))
        except Exception as error:  # noqa: BLE001 - every failure counts as an error
            with results.lock:
                results.errors += 1
                results.last_end = max(results.last_end, time.monotonic())
                if len(results.error_samples) < 5:
                    results.error_samples.append(repr(error)[:300])


def run_load(port: int, path: str, body: Body, cookies: list[str], seconds: float, results: Results) -> float:
    """One phase of ``seconds``; returns its length including the drain of uploads in flight."""
    start = time.monotonic()
    results.last_end = 0.0
    deadline = start + seconds
    threads = [
        threading.Thread(
            target=client_loop, args=(port, path, body, cookies[i % len(cookies)], deadline, results, i), daemon=True
        )
        for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return max(results.last_end, deadline) - start


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- orchestration --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(app: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        app,
        "--pythonpath",
        str(ROOT / "bench"),
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--backlog",
        "2048",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {app} exited:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn {app} did not start")


def _stat(path: Path) -> tuple[str, int] | None:
    """A process's name and user + system CPU ticks so far, from its ``/proc/<pid>/stat``."""
    try:
        name, rest = path.read_text().split(" (", 1)[1].rsplit(")", 1)
    except (OSError, IndexError, ValueError):
        return None
    fields = rest.split()
    return name, int(fields[11]) + int(fields[12])


def cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """User + system CPU time of gunicorn's workers (and master) so far."""
    pids = [process.pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
    stats = [_stat(Path(f"/proc/{pid}/stat")) for pid in pids]
    return sum(stat[1] for stat in stats if stat) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """User + system CPU time of every PostgreSQL process on this machine so far (the bench's
    private cluster is the only one running during ``scripts/bench.sh``)."""
    stats = [_stat(path) for path in Path("/proc").glob("[0-9]*/stat")]
    return sum(stat[1] for stat in stats if stat and stat[0] == "postgres") / os.sysconf("SC_CLK_TCK")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def prepare(env: dict[str, str]) -> list[str]:
    """Migrate, open a school with a class of students, log each in; return their cookies."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licheng.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django_scopes import scopes_disabled

    call_command("migrate", verbosity=0, interactive=False)
    from licheng.testing.factories import SchoolClassFactory, StudentFactory, make_school

    cookies = []
    with scopes_disabled():
        school = make_school(name="壓力測試高級中學")
        classes: list[Any] = []
        for n in range(max(100, CLIENTS)):
            if n % 40 == 0:  # classes of 40: seats are numbered 1–99 within a class
                classes.append(SchoolClassFactory.create(school=school, name=str(301 + len(classes))))
            student = StudentFactory.create(school_class=classes[-1], seat=n % 40 + 1)
            client = Client()
            client.force_login(student.user)
            cookies.append(f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF}")
    from django.db import connections

    connections.close_all()
    return cookies


def verify(acknowledged: list[tuple[int, str, bytes]], body: Body) -> tuple[int, int]:
    """(lost, checked): acknowledged uploads whose row is missing or whose stored bytes do not hash
    to what was sent."""
    from django_scopes import scopes_disabled

    from licheng.files.models import StoredFile
    from licheng.files.services import file_verify

    lost = 0
    with scopes_disabled():
        rows = StoredFile.objects.in_bulk([pk for pk, _a, _s in acknowledged])
        for pk, answered, token in acknowledged:
            row = rows.get(pk)
            if row is None or row.sha256 != answered or answered != body.pdf_sha256(token) or not file_verify(row):
                lost += 1
    return lost, len(acknowledged)


def main() -> int:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("bench_upload: DATABASE_URL must point at PostgreSQL (run through scripts/bench.sh)", file=sys.stderr)
        return 2
    if BARE_MODE not in ("disk", "discard"):
        print(f"bench_upload: BENCH_UPLOAD_BARE must be 'disk' or 'discard', not {BARE_MODE!r}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="licheng-bench-upload-"))
    try:
        env = {
            **os.environ,
            "LICHENG_VAR_DIR": str(work / "var"),
            "LICHENG_STORAGE_DIR": str(work / "var" / "files"),
            "LICHENG_SECRET_KEY": secrets.token_urlsafe(40),
            "LICHENG_FIELD_KEY": "S2V5Rm9yVGVzdHNPbmx5X19fX19fX19fX19fX19fXzA=",
            "LICHENG_LOG_LEVEL": "WARNING",
            "LICHENG_DB_CONN_MAX_AGE": "60",
            "BENCH_TMP": str(work / "bare"),
            "TMPDIR": str(work / "tmp"),
            "PYTHONPATH": str(ROOT),
        }
        for folder in ("var", "bare", "tmp"):
            (work / folder).mkdir()
        cookies = prepare(env)
        body = Body(make_pdf())
        print(
            f"upload: {CLIENTS} clients, {SECONDS:.0f} s per server in {ROUNDS} alternating rounds, "
            f"{WORKERS} gunicorn workers × {THREADS} threads each, {body.length:,} bytes per upload, "
            f"bare handler mode {BARE_MODE!r}"
        )

        bare_port, app_port = free_port(), free_port()
        bare = start_gunicorn("bench_upload:bare_application", bare_port, env, work / "bare.log")
        app = start_gunicorn("bench_upload:django_application()", app_port, env, work / "app.log")
        base, results = Results(), Results()
        base_elapsed = elapsed = 0.0
        base_cpu = app_cpu = pg_cpu = base_client = app_client = 0.0
        try:
            # Warm up: every app worker imports Django and opens its database connection.
            run_load(app_port, "/bench/upload/", body, cookies, 1.0, Results())
            # Alternate short rounds so that a change in the machine's load hits both alike.
            for n in range(ROUNDS):
                order = ["bare", "app"] if n % 2 == 0 else ["app", "bare"]
                for which in order:
                    if which == "bare":
                        before, client_before = cpu_seconds(bare), time.process_time()
                        base_elapsed += run_load(bare_port, "/", body, cookies, SECONDS / ROUNDS, base)
                        base_cpu += cpu_seconds(bare) - before
                        base_client += time.process_time() - client_before
                        # Outside the timed window: free the disk space (the bytes were on disk).
                        for kept in (work / "bare").iterdir():
                            kept.unlink()
                    else:
                        before, pg_before = cpu_seconds(app), postgres_cpu_seconds()
                        client_before = time.process_time()
                        elapsed += run_load(app_port, "/bench/upload/", body, cookies, SECONDS / ROUNDS, results)
                        app_cpu += cpu_seconds(app) - before
                        app_client += time.process_time() - client_before
                        pg_cpu += postgres_cpu_seconds() - pg_before
        finally:
            stop(bare)
            stop(app)
        base_rate = len(base.latencies) / base_elapsed
        rate = len(results.acknowledged) / elapsed
        print(
            f"upload: bare handler {len(base.latencies)} uploads in {base_elapsed:.1f} s = {base_rate:.1f}/s, "
            f"p99 {percentile(base.latencies, 0.99) * 1000:.0f} ms, "
            f"{1000 * base_cpu / max(1, len(base.latencies)):.1f} ms server CPU per upload "
            f"(the load's own {1000 * base_client / max(1, len(base.latencies)):.1f} ms), errors {base.errors}"
        )
        for sample in results.error_samples + base.error_samples:
            print(f"upload: error sample: {sample}")
        lost, checked = verify(results.acknowledged, body)
        p99 = percentile(results.latencies, 0.99) * 1000
        print(
            f"upload: app {len(results.acknowledged)} uploads in {elapsed:.1f} s = {rate:.1f}/s, "
            f"p50 {percentile(results.latencies, 0.5) * 1000:.0f} ms, "
            f"{1000 * app_cpu / max(1, len(results.acknowledged)):.1f} ms server CPU per upload "
            f"+ {1000 * pg_cpu / max(1, len(results.acknowledged)):.1f} ms PostgreSQL "
            f"(the load's own {1000 * app_client / max(1, len(results.acknowledged)):.1f} ms), "
            f"re-verified {checked} stored files"
        )
        ratio = rate / base_rate if base_rate else 0.0
        errors = results.errors + base.errors
        print(f"upload: ratio={ratio:.2f} uploads_per_s={rate:.1f} p99_ms={p99:.0f} errors={errors} lost={lost}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
