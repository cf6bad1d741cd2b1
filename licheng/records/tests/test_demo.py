"""The demo data: past grades, cadre roles, attendance, a counselling session and office records,
added once (a second run adds nothing)."""

from __future__ import annotations

import datetime

import pytest

from licheng.counselling.models import CounsellingSession
from licheng.performances.models import Performance
from licheng.records.demo import add_demo_data
from licheng.records.models import AttendanceRecord, CadreRole, CourseCode, Grade, OfficeRecord
from licheng.testing.factories import StudentFactory, make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def test_demo_data_is_added_once(personas: Personas) -> None:
    p = personas
    make_staff(p.school, "internship", username="demo_internship", name="實習主任")
    counsellor = make_staff(p.school, "course_counsellor", username="demo_counsellor", name="周諮詢")
    p.school_class.counsellor = counsellor
    p.school_class.save()
    StudentFactory.create(school_class=p.school_class, seat=2, entry_year=113)
    today = datetime.date(2025, 12, 1)
    add_demo_data(p.school, today=today)
    counts = [
        m.objects.count()
        for m in (Grade, CadreRole, AttendanceRecord, CourseCode, CounsellingSession, OfficeRecord, Performance)
    ]
    assert all(counts), counts
    # The 113 entrant has last year's grades, in both terms.
    assert set(Grade.objects.filter(academic_year=113).values_list("term", flat=True)) == {1, 2}
    assert all(len(code) == 23 for code in Grade.objects.values_list("course_code", flat=True))
    add_demo_data(p.school, today=today)
    again = [
        m.objects.count()
        for m in (Grade, CadreRole, AttendanceRecord, CourseCode, CounsellingSession, OfficeRecord, Performance)
    ]
    assert again == counts
