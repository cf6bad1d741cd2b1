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


def test_student_home_fetches_the_student_once_for_our_sections_and_stays_constant(world: World) -> None:
    from licheng.performances.models import Performance, PerformanceSelection, Writing

    p = world.p

    def grow(n: int) -> None:
        for i in range(n):
            make_outcome(p.student, p.course, state="passed" if i % 2 else "pending")
            performance = Performance.objects.create(
                school=p.school,
                student=p.student,
                academic_year=p.term.academic_year,
                kind=8,
                description=f"作品{i}",
                fields={"name": "作品", "date": "2025-10-01"},
            )
            if i < 3:
                PerformanceSelection.objects.create(
                    school=p.school, student=p.student, academic_year=p.term.academic_year, performance=performance
                )
        Writing.objects.get_or_create(school=p.school, student=p.student, term=p.term, kind="reflection")

    grow(1)
    client = world.client(p.student_user)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/").content.decode()
    assert "Export my portfolio" in page
    grow(8)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/").content.decode()
    assert "9 / 9" in page and "9/30" in page.replace(" ", "")
    assert len(many) == len(few)

    # Our two sections take the student from HomeContext and do not fetch it again.
    from licheng.core.home import HomeContext
    from licheng.performances import menu as performances_menu
    from licheng.portfolio import menu as portfolio_menu

    ctx = HomeContext(p.student_user, p.school)
    assert ctx.student == p.student and ctx.term is not None
    with CaptureQueriesContext(connection) as sections:
        portfolio_menu.student_home_section(ctx)
        performances_menu.student_home_section(ctx)
    fetches = [q["sql"] for q in sections.captured_queries if '"people_student"."national_id_cipher"' in q["sql"]]
    assert fetches == []
