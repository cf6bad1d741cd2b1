"""Stateless app nodes, proven over real HTTP: two gunicorn nodes (A and B) with folders of their
own, one task worker and two periodic runners, all on one PostgreSQL database and one S3-compatible
store (moto's server, started here). A student uploads through A, the teacher certifies through B,
the worker builds the export that A serves; sessions, login throttling, periodic jobs and the task
queue hold across processes. Then the faults: B loses its database for 10 s, A loses the object
store, and A is killed in the middle of uploads.

Node A reaches the store through a TCP proxy and node B the database through another, so each
fault hits one node while everything else stays up. Runs in the PostgreSQL run of ``make test``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import secrets
import signal
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from licheng.files.tests import corpus
from licheng.testing.nodes import (
    BIN,
    Browser,
    Processes,
    TcpProxy,
    free_port,
    gunicorn_argv,
    links,
    manage_argv,
    wait_until,
)

DATABASE_URL = os.environ.get("DATABASE_URL", "")
POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))
pytestmark = [
    pytest.mark.nodes,
    # Only so that pytest-django sets up the migrated test database this module copies; the tests
    # themselves talk to the processes' own database.
    pytest.mark.django_db,
    pytest.mark.skipif(not POSTGRES, reason="two app nodes need a shared PostgreSQL (the PostgreSQL run of make test)"),
]
MAX_FAILURES = 3
# The same two secrets on every node: sessions, CSRF and encrypted fields must read alike everywhere.
SECRET_KEY = secrets.token_urlsafe(40)
FIELD_KEY = "S2V5Rm9yVGVzdHNPbmx5X19fX19fX19fX19fX19fXzA="


@dataclasses.dataclass
class Cluster:
    a: str
    b: str
    dsn: str
    s3: Any
    bucket: str
    backup_bucket: str
    db_proxy_b: TcpProxy  # node B's way to the database
    s3_proxy_a: TcpProxy  # node A's way to the object store
    processes: Processes
    folders: dict[str, Path]
    seed: dict[str, Any]

    def sql(self, query: str, *params: object) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.dsn, connect_timeout=5) as connection:
            return list(connection.execute(query, params).fetchall())  # type: ignore[arg-type]

    def object_sha256(self, key: str) -> str:
        body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return hashlib.sha256(body).hexdigest()

    def keys(self, bucket: str) -> set[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.processes.log(name)}" for name in [*sorted(self.folders), "s3"])

    def login(self, node: str, who: str) -> Browser:
        browser = Browser()
        response = browser.login(node, self.seed[who], self.seed["password"])
        assert response.status_code == 302, response.text[:2000]
        return browser


def _node_env(folder: Path, database_url: str, s3_endpoint: str, bucket: str, backup_bucket: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LICHENG_", "DATABASE_URL", "DJANGO_"))}
    (folder / "var").mkdir(parents=True, exist_ok=True)
    (folder / "tmp").mkdir(exist_ok=True)
    env.update(
        DJANGO_SETTINGS_MODULE="licheng.settings",
        DATABASE_URL=database_url,
        LICHENG_VAR_DIR=str(folder / "var"),
        TMPDIR=str(folder / "tmp"),
        LICHENG_SECRET_KEY=SECRET_KEY,
        LICHENG_FIELD_KEY=FIELD_KEY,
        LICHENG_TASK_BACKEND="django_tasks_db.backend.DatabaseBackend",
        LICHENG_S3_BUCKET=bucket,
        LICHENG_S3_ENDPOINT_URL=s3_endpoint,
        LICHENG_S3_ACCESS_KEY="testing",
        LICHENG_S3_SECRET_KEY="testing",
        LICHENG_S3_REGION="us-east-1",
        LICHENG_BACKUP_S3_BUCKET=backup_bucket,
        LICHENG_S3_CONNECT_TIMEOUT="2",
        LICHENG_S3_READ_TIMEOUT="10",
        LICHENG_S3_MAX_ATTEMPTS="2",
        LICHENG_DB_CONNECT_TIMEOUT="2",
        LICHENG_LOGIN_MAX_FAILURES=str(MAX_FAILURES),
        LICHENG_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


@contextlib.contextmanager
def _database_copy(django_db_blocker: Any) -> Iterator[tuple[str, str]]:
    """A database of its own on the suite's PostgreSQL server, copied from the migrated test
    database (pytest-django's, which the processes cannot share: each test's rows stay in its
    transaction). Yields (name, URL); dropped afterwards."""
    import psycopg
    from django.db import connections

    with django_db_blocker.unblock():
        template = connections["default"].settings_dict["NAME"]
        connections.close_all()
    name = f"licheng_nodes_{secrets.token_hex(4)}"
    with psycopg.connect(DATABASE_URL, autocommit=True, connect_timeout=5) as admin:
        for attempt in range(10):  # the template must have no other session for a moment
            try:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 9:
                    raise
                if attempt >= 3:  # a connection some earlier test's thread left open, idle
                    admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = %s AND pid <> pg_backend_pid()",
                        (template,),
                    )
                time.sleep(0.5)
    url = urlsplit(DATABASE_URL)
    try:
        yield name, url._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(DATABASE_URL, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def cluster(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    import boto3

    root = tmp_path_factory.mktemp("nodes")
    processes = Processes(root)
    proxies: list[TcpProxy] = []
    with _database_copy(django_db_blocker) as (_name, database_url):
        try:
            s3_port = free_port()
            processes.start("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)], dict(os.environ))
            endpoint = f"http://127.0.0.1:{s3_port}"
            bucket, backup_bucket = "licheng-files", "licheng-backups"
            folders = {name: root / name for name in ("node-a", "node-b", "worker", "periodic-1", "periodic-2")}

            def env(name: str, database: str = database_url, store: str = endpoint) -> dict[str, str]:
                return _node_env(folders[name], database, store, bucket, backup_bucket)

            # The web nodes boot while the database is seeded (they touch nothing before a request).
            pg = urlsplit(database_url)
            db_proxy_b = TcpProxy(pg.port or 5432)
            s3_proxy_a = TcpProxy(s3_port)
            proxies += [db_proxy_b, s3_proxy_a]
            a_port, b_port = free_port(), free_port()
            b_database = pg._replace(netloc=f"{pg.username}@127.0.0.1:{db_proxy_b.port}").geturl()
            processes.start(
                "node-a",
                gunicorn_argv(a_port, workers=2, threads=4),
                env("node-a", store=f"http://127.0.0.1:{s3_proxy_a.port}"),
            )
            processes.start("node-b", gunicorn_argv(b_port, workers=2, threads=1), env("node-b", database=b_database))
            seeded = subprocess.run(  # noqa: S603
                [str(BIN / "python"), "-m", "licheng.testing.nodes_seed"],
                env=env("worker"),
                cwd=Path(__file__).resolve().parents[2],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert seeded.returncode == 0, seeded.stderr[-3000:]
            seed = json.loads(seeded.stdout.strip().splitlines()[-1])
            s3 = boto3.client(
                "s3",
                endpoint_url=endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                region_name="us-east-1",
            )
            wait_until(lambda: s3.list_buckets() is not None, timeout=30, what="the S3 endpoint")
            s3.create_bucket(Bucket=bucket)
            s3.create_bucket(Bucket=backup_bucket)
            # The worker and the periodic runners only once the seed has emptied the copied database.
            worker = manage_argv("db_worker", "--queue-name", "*", "--no-startup-delay")
            processes.start("worker", worker, env("worker"))
            # The second runner shares node B's way to the database (and so its outage).
            processes.start("periodic-1", manage_argv("periodic", "--interval", "1"), env("periodic-1"))
            processes.start(
                "periodic-2", manage_argv("periodic", "--interval", "1"), env("periodic-2", database=b_database)
            )
            a, b = f"http://127.0.0.1:{a_port}", f"http://127.0.0.1:{b_port}"
            result = Cluster(
                a, b, database_url, s3, bucket, backup_bucket, db_proxy_b, s3_proxy_a, processes, folders, seed
            )
            for node in (a, b):
                wait_until(
                    lambda node=node: Browser().get(f"{node}/healthz").status_code == 200,  # type: ignore[misc]
                    timeout=60,
                    what=f"{node}/healthz",
                )
            yield result
        finally:
            processes.stop_all()
            for proxy in proxies:
                proxy.close()


def _upload(browser: Browser, cluster: Cluster, node: str, data: bytes, name: str = "報告.pdf") -> Any:
    return browser.post(
        f"{node}/portfolio/",
        {"course": cluster.seed["course_pk"], "description": "跨節點的學習成果"},
        files={"files": (name, data, "application/pdf")},
    )


def _outcome_pk(response: Any) -> int:
    assert response.status_code == 302, (response.status_code, response.text[:2000])
    return int(links(response.headers["Location"], r"/portfolio/(\d+)/")[0])


def _file_ids(browser: Browser, node: str, outcome_pk: int) -> list[str]:
    page = browser.get(f"{node}/portfolio/{outcome_pk}/")
    assert page.status_code == 200
    return links(page.text, r"/portfolio/files/(\d+)/")


def test_upload_on_a_certify_on_b_export_by_the_worker_download_on_a(cluster: Cluster) -> None:
    a, b = cluster.a, cluster.b
    student = cluster.login(a, "student")
    # The session made on A is good on B: sessions live in the shared database, signed alike.
    mine_on_b = student.get(f"{b}/portfolio/")
    assert mine_on_b.status_code == 200 and cluster.seed["student_name"] in mine_on_b.text

    pdf = corpus.pdf(text=f"node A {secrets.token_hex(4)}")
    sha256 = hashlib.sha256(pdf).hexdigest()
    outcome = _outcome_pk(_upload(student, cluster, a, pdf))

    teacher = cluster.login(b, "teacher")
    queue = teacher.get(f"{b}/portfolio/queue/")
    assert queue.status_code == 200
    (version,) = links(queue.text, r"/portfolio/queue/(\d+)/decide/")
    assert teacher.post(f"{b}/portfolio/queue/{version}/decide/", {"decision": "pass"}).status_code == 302
    detail = student.get(f"{a}/portfolio/{outcome}/")
    assert "已認證" in detail.text

    # The bytes are served by either node from the bucket; the worker made the preview there.
    (file_id,) = _file_ids(student, a, outcome)
    served = teacher.get(f"{b}/portfolio/files/{file_id}/?download=1")
    assert served.status_code == 200 and hashlib.sha256(served.content).hexdigest() == sha256
    preview = wait_until(
        lambda: (r := teacher.get(f"{b}/portfolio/files/{file_id}/preview/")).status_code == 200 and r,
        timeout=60,
        what="the preview made by the worker",
    )
    assert preview.content.startswith(b"\x89PNG")
    ((storage_name, preview_name),) = cluster.sql(
        "SELECT storage_name, preview_name FROM files_storedfile WHERE sha256 = %s", sha256
    )
    assert cluster.object_sha256(storage_name) == sha256
    assert cluster.object_sha256(preview_name) == hashlib.sha256(preview.content).hexdigest()

    # The export is built by the worker (no node runs tasks) and downloaded through A.
    assert student.post(f"{a}/portfolio/exports/").status_code == 302
    download = wait_until(
        lambda: links(student.get(f"{a}/portfolio/exports/").text, r"(/portfolio/exports/\d+/download/)"),
        timeout=60,
        what="the export built by the worker",
    )[0]
    exported = student.get(f"{a}{download}")
    assert exported.status_code == 200 and exported.headers["Content-Type"] == "application/zip"
    ((export_file, export_sha),) = cluster.sql("SELECT file, sha256 FROM portfolio_portfolioexport")
    assert hashlib.sha256(exported.content).hexdigest() == export_sha == cluster.object_sha256(export_file)
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    assert sha256 in {hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist()}
    ((worker_ran,),) = cluster.sql(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s AND status = 'SUCCESSFUL'",
        "%build_portfolio_export",
    )
    assert worker_ran == 1

    # Nothing a user made is on any process's own disk: every process's folders are empty, but for
    # the outbox of e-mail without a mail server (var/mail, read by no one; deployments set
    # LICHENG_EMAIL_HOST, docs/deployment.md).
    left = [
        f"{name}/{p.relative_to(f)}"
        for name, f in cluster.folders.items()
        for p in f.rglob("*")
        if p.is_file() and p.relative_to(f).parts[:2] != ("var", "mail")
    ]
    assert left == []


def test_a_session_and_the_login_throttle_hold_across_nodes(cluster: Cluster) -> None:
    a, b, who = cluster.a, cluster.b, cluster.seed["other_teacher"]
    for attempt in range(MAX_FAILURES):
        refused = Browser().login((a, b)[attempt % 2], who, "wrong password")
        assert refused.status_code == 200
        assert ("登入失敗次數過多" if attempt == MAX_FAILURES - 1 else "不正確") in refused.text
    # Failures on A and B count together: the right password is refused on either node now.
    for node in (a, b):
        locked = Browser().login(node, who, cluster.seed["password"])
        assert locked.status_code == 200 and "登入失敗次數過多" in locked.text
    # Logging out on B ends the session on A too.
    student = cluster.login(a, "student")
    assert student.get(f"{b}/portfolio/").status_code == 200
    assert student.post(f"{b}/logout/").status_code == 302
    assert student.get(f"{a}/portfolio/").status_code == 302


def test_two_periodic_runners_enqueue_each_due_job_once(cluster: Cluster) -> None:
    from django.utils import timezone

    from licheng.core.periodic import JOBS

    def enqueued() -> int:
        return sum(cluster.processes.log(name, 100_000).count("enqueued ") for name in ("periodic-1", "periodic-2"))

    # Interval jobs (the backup among them) are due at once; daily jobs once their time has passed.
    first = wait_until(
        lambda: cluster.sql("SELECT min(last_enqueued_at) FROM core_periodicrun")[0][0],
        timeout=60,
        what="the periodic runners' first check",
    )
    due_first = {job.task for job in JOBS if job.due(None, first)}
    wait_until(lambda: enqueued() >= len(due_first), timeout=30, what="every due job enqueued")
    time.sleep(3)  # both runners check every second: several more checks each
    assert all(cluster.processes.running[name].poll() is None for name in ("periodic-1", "periodic-2"))
    due_now = {job.task for job in JOBS if job.due(None, timezone.now())}
    counts = dict(cluster.sql("SELECT task_path, count(*) FROM django_tasks_database_dbtaskresult GROUP BY task_path"))
    assert all(counts.get(job.task, 0) <= 1 for job in JOBS), counts  # never twice, however many runners
    assert due_first <= {job.task for job in JOBS if counts.get(job.task)} <= due_now, counts
    assert enqueued() == sum(counts.get(job.task, 0) for job in JOBS), cluster.logs()
    # The worker ran the backup into the backup bucket.
    wait_until(
        lambda: cluster.sql("SELECT count(*) FROM backups_backuprun WHERE ok")[0][0] == 1,
        timeout=60,
        what="the scheduled backup",
    )
    assert cluster.keys(cluster.backup_bucket)


def test_a_node_that_loses_the_database_answers_503_and_recovers(cluster: Cluster) -> None:
    b = cluster.b
    teacher = cluster.login(b, "teacher")
    assert teacher.get(f"{b}/portfolio/queue/").status_code == 200
    cluster.db_proxy_b.cut()
    try:
        started = time.monotonic()
        answers = []
        while time.monotonic() - started < 10:
            response = teacher.get(f"{b}/portfolio/queue/")
            answers.append(response.status_code)
            assert response.status_code == 503, response.text[:2000]
            assert response.headers["Retry-After"] == "10"
            assert "服務暫時無法使用" in response.text and "請稍候一分鐘再試" in response.text
            time.sleep(1)
        assert Browser().get(f"{b}/healthz").json()["database"].startswith("error")
        # Node A (its own way to the database) serves on meanwhile.
        assert teacher.get(f"{cluster.a}/portfolio/queue/").status_code == 200
    finally:
        cluster.db_proxy_b.restore()
    assert len(answers) >= 5
    # Back by itself, no restart, the same session.
    wait_until(lambda: teacher.get(f"{b}/portfolio/queue/").status_code == 200, timeout=15, what="node B again")
    # The periodic runner that lost the database too waited for it instead of stopping.
    assert cluster.processes.running["periodic-2"].poll() is None, cluster.processes.log("periodic-2")
    assert "database unavailable" in cluster.processes.log("periodic-2", 100_000)


def test_an_object_store_outage_refuses_the_upload_and_keeps_nothing(cluster: Cluster) -> None:
    a = cluster.a
    student = cluster.login(a, "student")
    pdf = corpus.pdf(text=f"outage {secrets.token_hex(4)}")
    sha256 = hashlib.sha256(pdf).hexdigest()
    outcomes_before = cluster.sql("SELECT count(*) FROM portfolio_courseoutcome")[0][0]
    cluster.s3_proxy_a.cut()
    try:
        refused = _upload(student, cluster, a, pdf)
    finally:
        cluster.s3_proxy_a.restore()
    assert refused.status_code == 503, refused.text[:2000]
    assert refused.headers["Retry-After"] == "30"
    assert "檔案未儲存" in refused.text and "請稍候幾分鐘再試" in refused.text
    assert cluster.sql("SELECT count(*) FROM files_storedfile WHERE sha256 = %s", sha256)[0][0] == 0
    assert cluster.sql("SELECT count(*) FROM portfolio_courseoutcome")[0][0] == outcomes_before
    # The store is back: the same upload is taken and stored.
    outcome = _outcome_pk(_upload(student, cluster, a, pdf))
    (file_id,) = _file_ids(student, a, outcome)
    ((name,),) = cluster.sql("SELECT storage_name FROM files_storedfile WHERE id = %s", int(file_id))
    assert cluster.object_sha256(name) == sha256


def test_killing_node_a_mid_upload_loses_nothing_acknowledged(cluster: Cluster) -> None:
    a, b = cluster.a, cluster.b
    student = cluster.login(a, "student")
    bodies = [corpus.pdf_of_size(600_000, token=f"kill-{n}-{secrets.token_hex(4)}".encode()) for n in range(40)]
    acknowledged: list[tuple[int, str]] = []
    lock = threading.Lock()
    pending = iter(bodies)

    def client() -> None:
        uploader = Browser()
        uploader.session.cookies.update(student.session.cookies)
        while True:
            with lock:
                body = next(pending, None)
            if body is None:
                return
            try:
                response = _upload(uploader, cluster, a, body)
            except Exception:  # noqa: BLE001 - the node died under this upload
                return
            if response.status_code == 302:
                with lock:
                    acknowledged.append((_outcome_pk(response), hashlib.sha256(body).hexdigest()))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(8)]
    for thread in threads:
        thread.start()
    wait_until(lambda: len(acknowledged) >= 5, timeout=60, interval=0.05, what="the first uploads")
    cluster.processes.kill("node-a", signal.SIGKILL)
    for thread in threads:
        thread.join(timeout=40)
    assert not any(thread.is_alive() for thread in threads)
    assert 5 <= len(acknowledged) < len(bodies)  # A died with uploads in flight

    # Every acknowledged upload is there, through B, byte for byte.
    for outcome, sha256 in acknowledged:
        (file_id,) = _file_ids(student, b, outcome)
        served = student.get(f"{b}/portfolio/files/{file_id}/?download=1")
        assert served.status_code == 200 and hashlib.sha256(served.content).hexdigest() == sha256
    # And no row anywhere claims bytes the store does not hold.
    for name, sha256 in cluster.sql("SELECT storage_name, sha256 FROM files_storedfile"):
        assert cluster.object_sha256(name) == sha256
