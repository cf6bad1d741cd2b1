from __future__ import annotations

import datetime

import pytest

from licheng.progress.models import ChecklistItem
from licheng.schedule.demo import add_demo_data
from licheng.schedule.models import ScheduleEntry
from licheng.schedule.windows import window_open
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def test_demo_schedule_opens_uploads_now_and_is_idempotent(personas: Personas) -> None:
    p = personas
    today = datetime.date(2025, 10, 15)
    add_demo_data(p.school, today=today)
    count, items = ScheduleEntry.objects.count(), ChecklistItem.objects.count()
    assert count >= 10 and items > count
    assert window_open("upload", p.term, p.student_user, today)
    assert not window_open("selection", p.term, p.student_user, today)
    add_demo_data(p.school, today=today)
    assert (ScheduleEntry.objects.count(), ChecklistItem.objects.count()) == (count, items)
