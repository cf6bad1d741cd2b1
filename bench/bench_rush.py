"""Deadline rush: the journeys of a deadline night, played by Locust against two app nodes on a
city-sized demo database (``demo_school --schools 20 --students 2000``: 40,000 students).

    scripts/bench.sh rush      (needs DATABASE_URL pointing at a PostgreSQL it may migrate)

A *journey* is one user's whole scenario, counted once when its last step answered:

* student (8 in 10): log in on a phone (GET and POST /login/), open the course-outcome page
  (/portfolio/), upload one course outcome (a 4 MB PDF, or one time in four a 10 MB MP4 video),
  then, on the other node, open the new outcome's page, open the selection page and tick the
  outcome for selection (outside the selection window the page refuses with a message: still an
  answer, not an error);
* teacher (1 in 10): log in, open the certification queue (/portfolio/queue/), batch-pass what is
  ticked there (up to 20 pending versions);
* homeroom teacher (1 in 10): log in, open the class list and one class view (/portfolio/classes/).

Each journey takes a fresh account (students and teachers of all the schools, their password set by
this bench) and a fresh session; Locust users alternate between the two nodes. Two gunicorn nodes
(same LICHENG_SECRET_KEY and LICHENG_FIELD_KEY, each its own LICHENG_VAR_DIR, one shared
LICHENG_STORAGE_DIR: the bench's stand-in for shared object storage) and one ``db_worker`` serve it.

Prints detail lines, then exactly one summary line:
    rush: users=U journeys_per_s=J p95_ms=P errors=E lost=L cpu_ms_per_journey=C db_ms_per_journey=D
``p95_ms`` is over every request of the phase; ``errors`` counts failed requests and journeys;
``lost`` counts acknowledged uploads (answered with the outcome's page) whose stored file is missing
or does not hash to the bytes sent. ``cpu_ms_per_journey`` is user+system CPU of both gunicorn
masters and workers and the db_worker (/proc/<pid>/stat) over journeys; ``db_ms_per_journey`` is the
delta of ``pg_stat_database.active_time`` (PostgreSQL ≥ 14, time backends spent executing) over
journeys. A second phase with BENCH_RUSH_OVER_USERS users (more than the machine can serve) prints a
``rush-over:`` detail line of the same form: past capacity, answers get slower, uploads must not fail.

Each phase starts no journey after its duration; the journeys in flight then get up to 150 s to
finish and count (a phase's time includes this drain); any still running are cut off and reported.

Environment: BENCH_RUSH_SCHOOLS (20), BENCH_RUSH_STUDENTS (2000 per school), BENCH_RUSH_USERS (8),
BENCH_RUSH_OVER_USERS (48, 0 skips the phase), BENCH_RUSH_SECONDS (60), BENCH_RUSH_OVER_SECONDS (30),
BENCH_RUSH_WORKERS (gunicorn workers per node, 2).

This file is also the Locust child process (``bench_rush.py --locust CONFIG``): Locust monkey-patches
the standard library with gevent, so it runs apart from the Django code that prepares and verifies.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHOOLS = int(os.environ.get("BENCH_RUSH_SCHOOLS", "20"))
STUDENTS = int(os.environ.get("BENCH_RUSH_STUDENTS", "2000"))
USERS = int(os.environ.get("BENCH_RUSH_USERS", "8"))
OVER_USERS = int(os.environ.get("BENCH_RUSH_OVER_USERS", "48"))
SECONDS = float(os.environ.get("BENCH_RUSH_SECONDS", "60"))
OVER_SECONDS = float(os.environ.get("BENCH_RUSH_OVER_SECONDS", "30"))
WORKERS = int(os.environ.get("BENCH_RUSH_WORKERS", "2"))
DRAIN_SECONDS = 150.0  # after a phase, journeys in flight get this long to finish
PASSWORD = "Rush-bench-2026"  # noqa: S105 - the bench sets it on its own throw-away accounts
PDF_BYTES = 4_000_000  # "4 MB", under the 4 MiB document limit
VIDEO_BYTES = 10_000_000  # "10 MB", under the 10 MiB media limit
TOKEN = b"T" * 32
ACCOUNTS = {"student": 6000, "teacher": 600, "homeroom": 400}  # enough fresh accounts for both phases


# --- the files ------------------------------------------------------------------------------------


def make_pdf() -> bytes:
    """A one-page PDF around an uncompressed image of random pixels, about 4 MB; the first 32 pixel
    bytes are a placeholder for a per-upload token (same length, still a valid PDF)."""
    import io

    import pikepdf

    width = 1150
    height = (PDF_BYTES - 1500) // (width * 3)
    pixels = bytearray(os.urandom(width * height * 3))
    pixels[: len(TOKEN)] = TOKEN
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
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def make_mp4() -> bytes:
    """A minimal valid MP4 (ftyp + moov with a movie header, 95 s long) and an ``mdat`` box of random
    bytes padding it to 10 MB; the token placeholder opens the mdat payload."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _box(
        b"mvhd",
        b"\x00\x00\x00\x00"
        + struct.pack(">IIII", 0, 0, 1000, 95_000)
        + struct.pack(">IH", 0x00010000, 0x0100)
        + b"\x00" * 10
        + matrix
        + b"\x00" * 24
        + struct.pack(">I", 2),
    )
    head = ftyp + _box(b"moov", mvhd)
    padding = VIDEO_BYTES - len(head) - 8 - len(TOKEN)
    return head + _box(b"mdat", TOKEN + os.urandom(padding))


# --- the Locust child -----------------------------------------------------------------------------


def locust_main(config_path: str) -> int:
    """Run one headless Locust phase in this process; write the figures to the result file."""
    import gevent
    from locust import HttpUser, between, events, task
    from locust.env import Environment

    config = json.loads(Path(config_path).read_text())
    hosts: list[str] = config["hosts"]
    accounts: dict[str, list[str]] = config["accounts"]
    files = {"pdf": Path(config["pdf"]).read_bytes(), "mp4": Path(config["mp4"]).read_bytes()}
    state: dict[str, Any] = {"users": 0, "journeys": 0, "journey_errors": 0, "samples": [], "uploads": []}
    state["upload_count"] = 0
    state["stopping"] = False
    state["in_flight"] = 0
    state["kinds"] = {"student": 0, "teacher": 0, "homeroom": 0}
    cursors = dict.fromkeys(accounts, 0)

    def next_account(kind: str) -> str:
        pool = accounts[kind]
        cursors[kind] += 1
        return pool[cursors[kind] % len(pool)]

    def csrf(session: Any) -> str:
        return str(session.cookies.get("csrftoken", ""))

    def failed(what: str) -> None:
        state["journey_errors"] += 1
        if len(state["samples"]) < 8:
            state["samples"].append(what[:300])

    def journey_step(play: Any) -> Any:
        """Run one journey unless the phase is over (then idle); count the journeys in flight."""

        def journey(self: Any) -> None:
            if state["stopping"]:
                gevent.sleep(1)
                return
            state["in_flight"] += 1
            try:
                play(self)
            finally:
                state["in_flight"] -= 1

        return task(journey)

    class Person(HttpUser):
        abstract = True
        host = hosts[0]  # every request names its node's full URL (see url)
        wait_time = between(0.5, 2.0)  # reading and tapping between steps, on a phone

        def on_start(self) -> None:
            self.node = hosts[state["users"] % len(hosts)]
            state["users"] += 1

        def url(self, path: str, *, other: bool = False) -> str:
            if other:
                return hosts[(hosts.index(self.node) + 1) % len(hosts)] + path
            return self.node + path

        def login(self, kind: str) -> bool:
            self.client.cookies.clear()
            self.client.get(self.url("/login/"), name="/login/ GET")
            username = next_account(kind)
            with self.client.post(
                self.url("/login/"),
                data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf(self.client)},
                name="/login/ POST",
                catch_response=True,
            ) as response:
                if "sessionid" not in self.client.cookies:
                    response.failure(f"login {username} failed ({response.status_code})")
                    return False
            return True

        def done(self, kind: str) -> None:
            state["journeys"] += 1
            state["kinds"][kind] += 1

    class Student(Person):
        weight = 8

        @journey_step
        def journey(self) -> None:
            if not self.login("student"):
                return failed("student login")
            self.wait()
            page = self.client.get(self.url("/portfolio/"), name="/portfolio/")
            courses = re.findall(r'<option value="(\d+)"', page.text or "")
            if not courses:
                return failed("student has no uploadable course")
            self.wait()
            state["upload_count"] += 1
            video = state["upload_count"] % 4 == 0
            token = secrets.token_hex(16).encode()
            data = files["mp4" if video else "pdf"].replace(TOKEN, token, 1)
            name = "學習成果影片.mp4" if video else "學習成果.pdf"
            label = "/portfolio/ POST mp4" if video else "/portfolio/ POST pdf"
            with self.client.post(
                self.url("/portfolio/"),
                data={
                    "course": secrets.choice(courses),
                    "description": "期末成果報告",
                    "csrfmiddlewaretoken": csrf(self.client),
                },
                files={"files": (name, data, "video/mp4" if video else "application/pdf")},
                name=label,
                allow_redirects=False,
                catch_response=True,
            ) as response:
                found = re.search(r"/portfolio/(\d+)/$", response.headers.get("Location", ""))
                if response.status_code != 302 or not found:
                    response.failure(f"upload answered {response.status_code}: {response.text[:200]!r}")
                    return failed("upload")
            outcome = int(found.group(1))
            state["uploads"].append([outcome, hashlib.sha256(data).hexdigest()])
            # The rest of the journey goes to the other node: same session, same CSRF cookie.
            self.client.get(self.url(f"/portfolio/{outcome}/", other=True), name="/portfolio/<pk>/")
            self.wait()
            self.client.get(self.url("/portfolio/selection/", other=True), name="/portfolio/selection/")
            self.client.post(
                self.url(f"/portfolio/{outcome}/select/", other=True),
                data={"selected": "1", "csrfmiddlewaretoken": csrf(self.client)},
                name="/portfolio/<pk>/select/",
            )
            self.done("student")

    class Teacher(Person):
        weight = 1

        @journey_step
        def journey(self) -> None:
            if not self.login("teacher"):
                return failed("teacher login")
            self.wait()
            page = self.client.get(self.url("/portfolio/queue/"), name="/portfolio/queue/")
            versions = re.findall(r'name="version" value="(\d+)"', page.text or "")[:20]
            if versions:
                self.wait()
                self.client.post(
                    self.url("/portfolio/queue/pass/"),
                    data={"version": versions, "csrfmiddlewaretoken": csrf(self.client)},
                    name="/portfolio/queue/pass/",
                )
            self.done("teacher")

    class Homeroom(Person):
        weight = 1

        @journey_step
        def journey(self) -> None:
            if not self.login("homeroom"):
                return failed("homeroom login")
            self.wait()
            page = self.client.get(self.url("/portfolio/classes/"), name="/portfolio/classes/")
            classes = re.findall(r'href="/portfolio/classes/(\d+)/"', page.text or "")
            if not classes:
                return failed("homeroom teacher sees no class")
            self.wait()
            self.client.get(self.url(f"/portfolio/classes/{classes[0]}/"), name="/portfolio/classes/<pk>/")
            self.done("homeroom")

    @events.request.add_listener
    def on_request(request_type: str, name: str, response: Any, exception: Any, **kwargs: Any) -> None:
        if exception is not None and len(state["samples"]) < 8:
            state["samples"].append(f"{request_type} {name}: {exception!r}"[:300])

    environment = Environment(user_classes=[Student, Teacher, Homeroom], events=events)
    runner = environment.create_local_runner()
    users = int(config["users"])
    started = time.monotonic()
    runner.start(users, spawn_rate=max(1.0, users / 5))
    gevent.sleep(float(config["seconds"]))
    # No new journeys; those in flight finish (bounded), so an overloaded phase still counts them.
    state["stopping"] = True
    drain_until = time.monotonic() + DRAIN_SECONDS
    while state["in_flight"] and time.monotonic() < drain_until:
        gevent.sleep(0.5)
    cut_off = state["in_flight"]
    runner.quit()
    elapsed = time.monotonic() - started
    total = environment.stats.total
    result = {
        "elapsed": elapsed,
        "journeys": state["journeys"],
        "kinds": state["kinds"],
        "journey_errors": state["journey_errors"],
        "cut_off": cut_off,
        "requests": total.num_requests,
        "request_failures": total.num_failures,
        "p50": total.get_response_time_percentile(0.5) or 0,
        "p95": total.get_response_time_percentile(0.95) or 0,
        "uploads": state["uploads"],
        "samples": state["samples"]
        + [f"{e.method} {e.name}: {e.error}"[:300] for e in list(environment.stats.errors.values())[:8]],
        "by_name": {
            name: [entry.num_requests, entry.get_response_time_percentile(0.95) or 0]
            for (name, _method), entry in sorted(environment.stats.entries.items())
        },
    }
    Path(config["result"]).write_text(json.dumps(result))
    return 0


# --- orchestration --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_node(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "licheng.wsgi:application",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--backlog",
        "2048",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603
    for _ in range(600):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def warm_up(port: int) -> None:
    """Ask each node for its login page a few times, so every worker has loaded Django and opened its
    database connection before the timed phase."""
    import http.client

    for _ in range(3 * WORKERS):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", "/login/")
        conn.getresponse().read()
        conn.close()


def cpu_seconds(processes: list[subprocess.Popen[bytes]]) -> float:
    """User + system CPU time of the processes and their children so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids: list[int] = []
    for process in processes:
        pids.append(process.pid)
        with contextlib.suppress(OSError):
            pids += [int(p) for p in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def db_active_ms() -> float:
    """Milliseconds PostgreSQL backends spent executing in this database so far (PG ≥ 14)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT active_time FROM pg_stat_database WHERE datname = current_database()")
        row = cursor.fetchone()
    return float(row[0] or 0) if row else 0.0


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def load(env: dict[str, str]) -> None:
    manage = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)  # noqa: S603
    began = time.monotonic()
    out = subprocess.run(  # noqa: S603
        [*manage, "demo_school", "--schools", str(SCHOOLS), "--students", str(STUDENTS)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    print(f"rush: demo_school --schools {SCHOOLS} --students {STUDENTS} took {time.monotonic() - began:.0f} s")
    print(f"rush: {out.strip().splitlines()[-1]}")


def database_mb() -> float:
    """The database's size on disk (tables, indexes, TOAST): for the capacity model's storage line."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        row = cursor.fetchone()
    return float(row[0]) / 1e6 if row else 0.0


def prepare(env: dict[str, str]) -> dict[str, list[str]]:
    """Give the bench's accounts a password (one hash for all); return their usernames by kind."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licheng.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django_scopes import scopes_disabled

    from licheng.courses.models import CourseTeacher, Enrolment
    from licheng.people.models import User
    from licheng.schools.models import SchoolClass

    with scopes_disabled():
        # Students spread over every school and class: every n-th enrolled student.
        student_ids = sorted(set(Enrolment.objects.values_list("student__user_id", flat=True).distinct()))
        step = max(1, len(student_ids) // ACCOUNTS["student"])
        students = student_ids[::step][: ACCOUNTS["student"]]
        teachers = sorted(set(CourseTeacher.objects.values_list("teacher_id", flat=True)))[: ACCOUNTS["teacher"]]
        homerooms = sorted(
            set(
                SchoolClass.objects.filter(homeroom_teacher__isnull=False).values_list("homeroom_teacher_id", flat=True)
            )
        )[: ACCOUNTS["homeroom"]]
        password = make_password(PASSWORD)
        ids = set(students) | set(teachers) | set(homerooms)
        User.objects.filter(pk__in=ids).update(password=password)
        names = dict(User.objects.filter(pk__in=ids).values_list("pk", "username"))
    import random

    rng = random.Random(17)
    accounts = {
        "student": [names[pk] for pk in students],
        "teacher": [names[pk] for pk in teachers],
        "homeroom": [names[pk] for pk in homerooms],
    }
    for pool in accounts.values():
        rng.shuffle(pool)
    return accounts


def verify(uploads: list[list[Any]]) -> int:
    """Acknowledged uploads whose outcome has no stored file of the sent hash, or whose bytes on
    storage do not hash to it."""
    from django_scopes import scopes_disabled

    from licheng.files.services import file_verify
    from licheng.portfolio.models import CourseOutcomeFile

    lost = 0
    with scopes_disabled():
        for outcome, sha256 in uploads:
            link = (
                CourseOutcomeFile.objects.filter(version__outcome_id=outcome, stored_file__sha256=sha256)
                .select_related("stored_file")
                .first()
            )
            if link is None or not file_verify(link.stored_file):
                lost += 1
    return lost


def phase(
    label: str, users: int, seconds: float, config: dict[str, Any], work: Path, servers: list[Any]
) -> dict[str, Any]:
    result_path = work / f"{label}.json"
    config = {**config, "users": users, "seconds": seconds, "result": str(result_path)}
    config_path = work / f"{label}-config.json"
    config_path.write_text(json.dumps(config))
    cpu_before, db_before = cpu_seconds(servers), db_active_ms()
    subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "python"), __file__, "--locust", str(config_path)], check=True, cwd=ROOT
    )
    cpu, db = cpu_seconds(servers) - cpu_before, db_active_ms() - db_before
    result = json.loads(result_path.read_text())
    journeys = max(1, result["journeys"])
    result["cpu_ms"] = 1000 * cpu / journeys
    result["db_ms"] = db / journeys
    result["lost"] = verify(result["uploads"])
    result["users"] = users
    result["errors"] = result["journey_errors"] + result["request_failures"]
    return result


def line(name: str, r: dict[str, Any]) -> str:
    return (
        f"{name}: users={r['users']} journeys_per_s={r['journeys'] / r['elapsed']:.2f} p95_ms={r['p95']:.0f} "
        f"errors={r['errors']} lost={r['lost']} cpu_ms_per_journey={r['cpu_ms']:.0f} "
        f"db_ms_per_journey={r['db_ms']:.0f}"
    )


def details(label: str, r: dict[str, Any]) -> None:
    print(
        f"{label}: {r['journeys']} journeys in {r['elapsed']:.0f} s including the drain ({r['kinds']}), "
        f"{r['cut_off']} cut off after the drain, {r['requests']} requests, "
        f"p50 {r['p50']:.0f} ms, {len(r['uploads'])} acknowledged uploads re-verified"
    )
    for name, (count, p95) in r["by_name"].items():
        print(f"{label}:   {name:<28} {count:>6} requests, p95 {p95:.0f} ms")
    for sample in r["samples"]:
        print(f"{label}: error sample: {sample}")


def main() -> int:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("bench_rush: DATABASE_URL must point at PostgreSQL (run through scripts/bench.sh)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="licheng-bench-rush-"))
    try:
        env = {
            **os.environ,
            "LICHENG_STORAGE_DIR": str(work / "files"),  # shared by both nodes and the worker
            "LICHENG_SECRET_KEY": secrets.token_urlsafe(40),
            "LICHENG_FIELD_KEY": "S2V5Rm9yVGVzdHNPbmx5X19fX19fX19fX19fX19fXzA=",
            "LICHENG_LOG_LEVEL": "WARNING",
            "LICHENG_DB_CONN_MAX_AGE": "60",
            "PYTHONPATH": str(ROOT),
        }
        node_envs = []
        for name in ("node1", "node2", "worker"):
            (work / name / "tmp").mkdir(parents=True)
            node_envs.append({**env, "LICHENG_VAR_DIR": str(work / name), "TMPDIR": str(work / name / "tmp")})
        load(node_envs[0])
        accounts = prepare(node_envs[0])
        print(f"rush: database {database_mb():.0f} MB after the load ({SCHOOLS * STUDENTS} students)")
        (work / "upload.pdf").write_bytes(make_pdf())
        (work / "upload.mp4").write_bytes(make_mp4())
        ports = [free_port(), free_port()]
        servers: list[subprocess.Popen[bytes]] = []
        try:
            for port, node_env, name in zip(ports, node_envs, ("node1", "node2"), strict=False):
                servers.append(start_node(port, node_env, work / f"{name}.log"))
            for port in ports:
                warm_up(port)
            worker_log = (work / "worker.log").open("wb")
            servers.append(
                subprocess.Popen(  # noqa: S603
                    [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "db_worker", "--queue-name", "*"],
                    cwd=ROOT,
                    env=node_envs[2],
                    stdout=worker_log,
                    stderr=subprocess.STDOUT,
                )
            )
            config = {
                "hosts": [f"http://127.0.0.1:{port}" for port in ports],
                "accounts": accounts,
                "pdf": str(work / "upload.pdf"),
                "mp4": str(work / "upload.mp4"),
            }
            print(
                f"rush: 2 nodes × {WORKERS} gunicorn workers + 1 db_worker, {USERS} users for {SECONDS:.0f} s"
                + (f", then {OVER_USERS} users for {OVER_SECONDS:.0f} s" if OVER_USERS else "")
            )
            normal = phase("rush", USERS, SECONDS, config, work, servers)
            details("rush", normal)
            over = None
            if OVER_USERS:
                over = phase("rush-over", OVER_USERS, OVER_SECONDS, config, work, servers)
                details("rush-over", over)
        finally:
            for server in servers:
                stop(server)
        if over is not None:
            print(line("rush-over", over))
        print(line("rush", normal))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--locust":
        sys.exit(locust_main(sys.argv[2]))
    sys.exit(main())
