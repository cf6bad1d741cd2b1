"""Guidance and the class's course counsellor read a student's whole portfolio on one page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licheng.performances.models import Performance, PerformanceFile, Writing, WritingReview
from licheng.portfolio.tests.conftest import World, make_outcome
from licheng.testing.factories import StudentFactory, UserFactory, make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def _page(world: World, user: object, student_pk: int) -> tuple[int, str, int]:
    client = world.client(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/portfolio/students/{student_pk}/portfolio/")
    return response.status_code, response.content.decode(), len(captured)


def _add_items(world: World, n: int) -> None:
    p = world.p
    for i in range(n):
        outcome = make_outcome(p.student, p.course, state="passed" if i % 2 else "pending")
        stored = outcome.versions.get().outcome_files.get().stored_file
        performance = Performance.objects.create(
            school=p.school,
            student=p.student,
            academic_year=p.term.academic_year,
            kind=8,
            description=f"作品{i}",
            fields={"name": f"作品{i}", "date": "2025-10-01"},
        )
        PerformanceFile.objects.create(school=p.school, performance=performance, stored_file=stored)
    for kind in ("reflection", "autobiography", "study_plan")[: min(n, 3)]:
        writing, _created = Writing.objects.get_or_create(
            school=p.school,
            student=p.student,
            term=p.term,
            kind=kind,
            defaults={"sections": {"career_plan": "<p>讀設計</p>", "self_awareness": "<p>我</p>"}},
        )
        WritingReview.objects.get_or_create(
            school=p.school,
            writing=writing,
            role="homeroom",
            defaults={"reviewer": p.homeroom_teacher, "comment": "很好"},
        )


def test_guidance_and_counsellor_see_everything_with_constant_queries(world: World) -> None:
    p = world.p
    guidance = make_staff(p.school, "guidance", username="guidance", name="輔導老師")
    counsellor = make_staff(p.school, "course_counsellor", username="counsellor", name="諮詢老師")
    p.school_class.counsellor = counsellor
    p.school_class.save(update_fields=["counsellor"])
    _add_items(world, 1)
    counts = {}
    for user in (guidance, counsellor):
        status, page, counts[user.pk] = _page(world, user, p.student.pk)
        assert status == 200
        assert "Course outcomes" in page and "Performances" in page and "Writings" in page
        assert "作品說明" in page and "作品0" in page and "讀設計" in page and "很好" in page
        assert "Read only." in page and 'name="comment"' not in page
    _add_items(world, 12)
    for user in (guidance, counsellor):
        status, page, many = _page(world, user, p.student.pk)
        assert status == 200 and "作品11" in page
        assert many == counts[user.pk], (user.username, many, counts[user.pk])


def test_others_get_404_and_parts_follow_what_the_user_may_see(world: World) -> None:
    p = world.p
    _add_items(world, 1)
    other = StudentFactory.create(school_class=p.school_class, user=UserFactory.create(school=p.school))
    for user in (other.user, p.subject_teacher, p.other_teacher, p.outsider):
        assert _page(world, user, p.student.pk)[0] == 404, user.username
    # The registry sees every course outcome (portfolio.view_all) but not the student's writings.
    status, page, _count = _page(world, p.registry, p.student.pk)
    assert status == 200 and "作品說明" in page and "讀設計" not in page
    counsellor_elsewhere = make_staff(p.school, "course_counsellor", username="counsellor2")
    assert _page(world, counsellor_elsewhere, p.student.pk)[0] == 404


def test_a_parent_reads_in_parent_words(personas: Personas) -> None:
    """A parent sees their child read-only: no staff student search in the menu, no review link,
    no "export my portfolio"."""
    from licheng.testing.clients import client_in

    client = client_in("en", personas.parent)
    home = client.get("/").content.decode()
    assert 'href="/people/students/"' not in home  # the staff search over every class
    page = client.get(f"/portfolio/students/{personas.student.pk}/portfolio/").content.decode()
    assert "Comment on and check writings" not in page
    exports = client.get(f"/portfolio/students/{personas.student.pk}/exports/").content.decode()
    assert "Export my portfolio" not in exports and f"Export the portfolio of {personas.student.name}" in exports
    # the homeroom teacher, who reviews, keeps the link
    assert (
        "Comment on and check writings"
        in client_in("en", personas.homeroom_teacher)
        .get(f"/portfolio/students/{personas.student.pk}/portfolio/")
        .content.decode()
    )
