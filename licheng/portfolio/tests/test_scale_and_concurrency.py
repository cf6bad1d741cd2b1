"""Constant query counts as lists grow, and caps that hold under concurrent requests."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.files.models import StoredFile
from licheng.portfolio import services
from licheng.portfolio.models import CourseOutcome, CourseOutcomeFile, CourseOutcomeSelection, CourseOutcomeVersion
from licheng.portfolio.tests.conftest import World, make_outcome
from licheng.testing.factories import StudentFactory, UserFactory, enrol


def bulk_outcomes(world: World, count: int, students: int = 10) -> None:
    p = world.p
    people = [
        StudentFactory.create(
            school_class=p.school_class, user=UserFactory.create(school=p.school), seat=None, name=f"學生{i}"
        )
        for i in range(students)
    ]
    enrol(p.course, *people)
    stored = StoredFile.objects.create(
        school=p.school,
        sha256="1" * 64,
        size=10,
        content_type="application/pdf",
        kind="document",
        original_name="a.pdf",
        storage_name="x",
        uploaded_by=p.student_user,
    )
    outcomes = CourseOutcome.objects.bulk_create(
        CourseOutcome(
            school=p.school,
            student=people[i % students],
            course=p.course,
            term=p.term,
            academic_year_id=p.term.academic_year_id,
        )
        for i in range(count)
    )
    versions = CourseOutcomeVersion.objects.bulk_create(
        CourseOutcomeVersion(school=p.school, outcome=o, number=1, description="說明") for o in outcomes
    )
    CourseOutcomeFile.objects.bulk_create(
        CourseOutcomeFile(school=p.school, version=v, stored_file=stored) for v in versions
    )


def queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_queue_with_500_pending_keeps_a_constant_number_of_queries(world: World) -> None:
    teacher = world.client(world.p.subject_teacher)
    url = reverse("portfolio:queue") + f"?course={world.p.course.pk}"
    bulk_outcomes(world, 5)
    teacher.get(url)  # the first visit gives the school its default reason table
    small = queries(teacher, url)
    bulk_outcomes(world, 495)
    # session, user, roles, permissions, term, certifier map (own courses, proxies), course counts,
    # the versions with student/course (one join), their files, reasons: the same for 5 or 500.
    with CaptureQueriesContext(connection) as captured:
        response = teacher.get(url)
    assert response.content.decode().count('name="version"') == 500
    assert len(captured) == small


@pytest.mark.django_db
def test_class_view_of_40_students_keeps_a_constant_number_of_queries(world: World) -> None:
    homeroom = world.client(world.p.homeroom_teacher)
    url = reverse("portfolio:class_view", args=[world.p.school_class.pk])
    bulk_outcomes(world, 4, students=2)
    homeroom.get(url)  # the first request after logging in renews the session
    small = queries(homeroom, url)
    bulk_outcomes(world, 80, students=38)
    # session, user, roles, permissions, the class, term, rules, one annotated student query.
    assert queries(homeroom, url) == small


@pytest.mark.django_db
def test_student_page_keeps_a_constant_number_of_queries(world: World) -> None:
    student = world.client(world.p.student_user)
    url = reverse("portfolio:my_outcomes")
    make_outcome(world.p.student, world.p.course)
    student.get(url)  # the first request after logging in renews the session
    small = queries(student, url)
    for _ in range(8):
        make_outcome(world.p.student, world.p.course)
    assert queries(student, url) == small


@pytest.mark.django_db(transaction=True)
def test_two_sessions_selecting_the_last_place_at_once_select_only_one(world: World) -> None:
    world.rules(course_outcomes_selected=1)
    outcomes = [make_outcome(world.p.student, world.p.course, state="passed") for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def select(outcome: CourseOutcome) -> None:
        try:
            with scopes_disabled():
                barrier.wait()
                services.course_outcome_select(actor=Actor(user=world.p.student_user), outcome=outcome)
            results.append("selected")
        except ServiceError:
            results.append("refused")
        except OperationalError:  # SQLite: "database is locked" for the loser is also a refusal
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=select, args=(o,)) for o in outcomes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["refused", "selected"]
    assert CourseOutcomeSelection.objects.count() == 1
