"""Pages benchmark: list pages, dashboards and the readiness report as the city grows from 1 school
to 20 schools.

Run by ``make bench`` (``scripts/bench.sh pages``) against a private PostgreSQL. It loads the demo
school (``manage.py demo_school``), logs in as the demo personas of the first school (registry,
subject teacher, homeroom teacher, student, school admin) and requests each of their pages with
Django's test Client, in-process (the full middleware stack, sessions and templates, no network
server), ``REQUESTS`` times each after one warm-up request whose queries are counted. Then it loads
more demo schools and measures the same pages of the same first school again.

Sizes: ``BENCH_PAGES_SCHOOLS`` (default 20), ``BENCH_PAGES_STUDENTS`` per school (default 2000),
``BENCH_PAGES_REQUESTS`` per page (default 10).

Prints a detail line per page (p50/p95/queries at 1 and at K schools), then exactly one line:
    pages: p95_ms=P worst=<path> queries_constant=yes|no schools=1→K
P is the worst page's p95 at K schools; ``queries_constant`` says whether every page made the same
number of queries at K schools as at 1.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licheng.settings")

SCHOOLS = int(os.environ.get("BENCH_PAGES_SCHOOLS", "20"))
STUDENTS = int(os.environ.get("BENCH_PAGES_STUDENTS", "2000"))
REQUESTS = int(os.environ.get("BENCH_PAGES_REQUESTS", "10"))

# The demo accounts of the first school and the pages each of them uses (registry, subject teacher,
# homeroom teacher, student, school admin, and the offices that keep cadre roles and attendance).
PAGES: dict[str, tuple[str, ...]] = {
    "registry": (
        "/",
        "/submissions/",
        "/people/students/",
        "/records/grades/",
        "/records/course-codes/",
        "/people/verification/",
        "/receipts/",
        "/schedule/",
        "/progress/",
        "/portfolio/overview/",
        "/courses/",
        "/announcements/",
    ),
    "teacher": (
        "/",
        "/courses/",
        "/portfolio/queue/",
        "/announcements/",
        "/notifications/",
        "/schedule/mine/",
    ),
    "homeroom": (
        "/",
        "/progress/my-class/",
        "/portfolio/classes/",
        "/performances/classes/",
    ),
    "activities": ("/records/cadre-roles/",),
    "discipline": ("/records/attendance/", "/records/rewards-penalties/"),
    "student": (
        "/",
        "/portfolio/",
        "/portfolio/selection/",
        "/performances/",
        "/performances/selection/",
        "/records/my-transcript/",
        "/records/my-records/",
        "/schedule/mine/",
        "/receipts/mine/",
        "/notifications/",
        "/people/verification/mine/",
    ),
    "admin": (
        "/",
        "/people/students/",
        "/people/staff/",
        "/school/classes/",
        "/audit/",
        "/working-group/",
        "/progress/",
        "/working-group/members/",
    ),
}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def measure() -> dict[tuple[str, str], dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django_scopes import scopes_disabled

    from licheng.people.models import User

    results: dict[tuple[str, str], dict[str, Any]] = {}
    for persona, paths in PAGES.items():
        with scopes_disabled():
            user = User.objects.get(username=persona)
        client = Client()
        client.force_login(user)
        for path in paths:
            response = client.get(path)  # warm-up: the session, caches, a first stored report
            location = response.get("Location", "")
            if response.status_code == 302 and location.startswith("/") and "login" not in location:
                path = location  # e.g. /records/my-transcript/ → the student's own transcript
                client.get(path)
            counted: list[str] = []

            def count(execute: Any, sql: str, *args: Any, counted: list[str] = counted) -> Any:
                counted.append(sql)
                return execute(sql, *args)

            with connection.execute_wrapper(count):
                response = client.get(path)
            status = response.status_code
            timings = []
            for _ in range(REQUESTS):
                began = time.perf_counter()
                client.get(path)
                timings.append((time.perf_counter() - began) * 1000)
            results[(persona, path)] = {
                "status": status,
                "queries": len(counted),
                "p50": statistics.median(timings),
                "p95": _percentile(timings, 0.95),
            }
    return results


def measure_recompute() -> dict[str, float]:
    """The registry computing the readiness report again (POST): what every view of the report cost
    before it was stored."""
    from django.test import Client
    from django_scopes import scopes_disabled

    from licheng.people.models import User
    from licheng.schools.models import School
    from licheng.schools.selectors import current_term

    with scopes_disabled():
        user = User.objects.get(username="registry")
        assert user.school_id is not None
        term = current_term(School.objects.get(pk=user.school_id))
    client = Client()
    client.force_login(user)
    timings = []
    for _ in range(max(1, REQUESTS // 2)):
        began = time.perf_counter()
        response = client.post("/submissions/readiness/recompute/", {"term": term.pk if term else ""})
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 302, response.status_code
    return {"p50": statistics.median(timings), "p95": _percentile(timings, 0.95)}


def analyze() -> None:
    """Planner statistics, as autovacuum keeps them on a running server (a fresh bulk load has none)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def demo_school(schools: int) -> None:
    """Load the demo schools in a process of their own, as an operator would: the loader's objects
    must not sit in the heap of the process whose pages are measured."""
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "demo_school", f"--students={STUDENTS}", f"--schools={schools}"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    import licheng.wsgi  # noqa: F401 - starts up as a gunicorn worker does (licheng/wsgi.py)

    began = time.perf_counter()
    demo_school(1)
    print(f"1 demo school of {STUDENTS} students loaded in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    analyze()
    small = measure()
    small_recompute = measure_recompute()
    began = time.perf_counter()
    demo_school(SCHOOLS)
    print(f"{SCHOOLS} demo schools loaded in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    analyze()
    large = measure()
    large_recompute = measure_recompute()

    constant = True
    worst_path, worst_p95 = "", 0.0
    for key, at_one in small.items():
        at_k = large[key]
        same = at_one["queries"] == at_k["queries"]
        constant = constant and same
        persona, path = key
        print(
            f"  {persona:9} {path:32} status={at_one['status']}/{at_k['status']} "
            f"1: p50={at_one['p50']:.0f} p95={at_one['p95']:.0f} q={at_one['queries']}  "
            f"{SCHOOLS}: p50={at_k['p50']:.0f} p95={at_k['p95']:.0f} q={at_k['queries']}"
            f"{'' if same else '  QUERIES CHANGED'}",
            file=sys.stderr,
        )
        if at_k["p95"] > worst_p95:
            worst_path, worst_p95 = path, at_k["p95"]
    print(
        f"  registry  recompute readiness (POST)     1: p50={small_recompute['p50']:.0f} "
        f"p95={small_recompute['p95']:.0f}  {SCHOOLS}: p50={large_recompute['p50']:.0f} "
        f"p95={large_recompute['p95']:.0f}  (an action, not in the summary)",
        file=sys.stderr,
    )
    print(
        f"pages: p95_ms={worst_p95:.0f} worst={worst_path} queries_constant={'yes' if constant else 'no'} "
        f"schools=1→{SCHOOLS}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
