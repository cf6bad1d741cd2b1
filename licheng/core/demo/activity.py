"""The demo school's year in progress: each capability adds what it would hold by ``today``.

The plan and loader (``plan.py``, ``loader.py``) create the people, classes and courses; the
functions here, one per app and each idempotent, add the schedule, records, course outcomes,
announcements, working group and leavers on top, through that app's own services. They run for
every demo school on every ``demo_school`` run, so an older demo database gains what a newer
release shows.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from django.db import transaction

from licheng.announcements import demo as announcements_demo
from licheng.lifecycle import demo as lifecycle_demo
from licheng.portfolio import demo as portfolio_demo
from licheng.records import demo as records_demo
from licheng.schedule import demo as schedule_demo
from licheng.schools.models import School
from licheng.workinggroup import demo as workinggroup_demo

# In order: records, then course outcomes while the term's own windows still answer (uploads and
# certification happened earlier in the term), then this year's schedule, and leavers last (sealed).
STEPS: list[tuple[str, Callable[..., None]]] = [
    ("records", records_demo.add_demo_data),
    ("portfolio", portfolio_demo.add_demo_data),
    ("schedule", schedule_demo.add_demo_data),
    ("announcements", announcements_demo.add_demo_data),
    ("working group", workinggroup_demo.add_demo_data),
    ("leavers", lifecycle_demo.add_demo_data),
]


def add_activity(school: School, *, today: datetime.date, report: Callable[[str], None]) -> None:
    for name, step in STEPS:
        began = time.perf_counter()
        with transaction.atomic():  # a step that fails leaves nothing half-added
            step(school, today=today)
        report(f"  {name}: ok ({time.perf_counter() - began:.1f} s)")
