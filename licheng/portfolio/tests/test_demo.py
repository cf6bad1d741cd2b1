"""The demo data goes through the services and can be added twice without doubling."""

from __future__ import annotations

import pytest

from licheng.performances.models import Performance, Writing
from licheng.portfolio.demo import add_demo_data
from licheng.portfolio.models import CourseOutcome, CourseOutcomeVersion
from licheng.portfolio.tests.conftest import World
from licheng.testing.factories import make_course

pytestmark = pytest.mark.django_db


def test_demo_data_is_realistic_and_idempotent(world: World) -> None:
    p = world.p
    for subject in ("數學", "英文"):
        course = make_course(p.term, p.subject_teacher, subject=subject, school_class=p.school_class)
        course.enrolments.create(school=p.school, student=p.student)
    add_demo_data(p.school, today=world.today)
    states = sorted(CourseOutcomeVersion.objects.values_list("state", flat=True))
    assert states == ["not_passed", "passed", "pending"]
    assert Performance.objects.filter(student=p.student).count() >= 2
    assert Writing.objects.filter(student=p.student, kind="reflection").exists()
    counts = (CourseOutcome.objects.count(), Performance.objects.count(), Writing.objects.count())
    add_demo_data(p.school, today=world.today)
    assert (CourseOutcome.objects.count(), Performance.objects.count(), Writing.objects.count()) == counts
