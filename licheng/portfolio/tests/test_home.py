"""The home page sections: the student's due dates, counters and states; the teacher's pending count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licheng.portfolio.tests.conftest import World, make_outcome

pytestmark = pytest.mark.django_db


def _home(world: World, user: object) -> tuple[str, int]:
    client = world.client(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def test_student_home_shows_counters_states_and_stays_constant(world: World) -> None:
    make_outcome(world.p.student, world.p.course)
    page, few = _home(world, world.p.student_user)
    assert "My course outcomes" in page and "1 / 9" in page and "Awaiting certification" in page
    for _ in range(5):
        make_outcome(world.p.student, world.p.course, state="passed")
    page, many = _home(world, world.p.student_user)
    assert "6 / 9" in page and "Certified" in page
    assert many == few


def test_teacher_home_shows_pending_count(world: World) -> None:
    for _ in range(3):
        make_outcome(world.p.student, world.p.course)
    page, _count = _home(world, world.p.subject_teacher)
    assert "3 course outcomes await your certification." in page
