"""List pages, dashboards and the readiness report make as many queries for a bigger school as for a
small one (no N+1): each page is counted as the persona who uses it, then the school gains students
with a term's data, courses and outcomes waiting for certification, another school opens, and the
same page is counted again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licheng.people.models import User
from licheng.portfolio.models import CourseOutcome, CourseOutcomeVersion
from licheng.submissions.sample import add_student_data
from licheng.testing.clients import client_in
from licheng.testing.factories import (
    SchoolClassFactory,
    StudentFactory,
    enrol,
    make_course,
    make_parent,
    make_school,
    make_staff,
    make_term,
)
from licheng.testing.personas import Personas

Page = tuple[str, Callable[[Personas], str]]


def url(name: str, **kwargs: Any) -> Callable[[Personas], str]:
    return lambda p: reverse(name, kwargs=kwargs)


PAGES: dict[str, list[tuple[str, Callable[[Personas], str]]]] = {
    "registry": [
        ("home", url("home")),
        ("readiness", lambda p: f"{reverse('submissions:index')}?term={p.term.pk}"),
        ("students", url("people:student_list")),
        ("grades", url("records:grades")),
        ("course codes", url("records:course_codes")),
        ("verification rounds", url("people:verification_rounds")),
        ("receipts", url("receipts:index")),
        ("schedule", url("schedule:index")),
        ("progress dashboard", url("progress:dashboard")),
        ("outcome overview", url("portfolio:overview")),
        ("courses", url("courses:list")),
        ("announcements", url("announcements:list")),
    ],
    "subject_teacher": [
        ("home", url("home")),
        ("courses", url("courses:list")),
        ("certification queue", url("portfolio:queue")),
        ("announcements", url("announcements:list")),
        ("notifications", url("notifications:list")),
        ("my deadlines", url("schedule:my_deadlines")),
    ],
    "homeroom_teacher": [
        ("home", url("home")),
        ("my class uncertified", url("progress:my_class_uncertified")),
        ("outcome classes", url("portfolio:class_list")),
        ("performance classes", url("performances:classes")),
        ("courses", url("courses:list")),
    ],
    "student": [
        ("home", url("home")),
        ("my outcomes", url("portfolio:my_outcomes")),
        ("outcome selection", url("portfolio:selection")),
        ("my performances", url("performances:mine")),
        ("performance selection", url("performances:selection")),
        ("transcript", lambda p: reverse("records:transcript", args=[p.student.pk])),
        ("records", lambda p: reverse("records:student_records", args=[p.student.pk])),
        ("my deadlines", url("schedule:my_deadlines")),
        ("my receipts", url("receipts:mine")),
        ("notifications", url("notifications:list")),
    ],
    "school_admin": [
        ("home", url("home")),
        ("students", url("people:student_list")),
        ("staff", url("people:staff_list")),
        ("classes", url("schools:classes")),
        ("activity log", url("audit:activity")),
        ("working group", url("workinggroup:index")),
        ("progress dashboard", url("progress:dashboard")),
    ],
    "activities": [("cadre roles", url("records:cadre_roles"))],
    "discipline": [
        ("attendance", url("records:attendance")),
        ("rewards and penalties", url("records:rewards_penalties")),
    ],
}


def count_pages(p: Personas, users: dict[str, User]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for persona, pages in PAGES.items():
        client = client_in("en", users[persona])
        for label, to in pages:
            path = to(p)
            assert client.get(path).status_code == 200, (persona, label, path)  # warm (session, caches)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200, (persona, label, path)
            counts[f"{persona}: {label}"] = len(queries)
    return counts


def pending_outcome(student: Any, p: Personas) -> None:
    outcome = CourseOutcome.objects.create(
        school=p.school, student=student, course=p.course, term=p.term, academic_year=p.term.academic_year
    )
    CourseOutcomeVersion.objects.create(school=p.school, outcome=outcome, number=1, description="待認證的成果")


def grow(p: Personas, students: int) -> None:
    """More students in the class, each with a term's data, an outcome waiting for the subject
    teacher and a parent; another class and course; another school with its own people."""
    for _ in range(students):
        student = StudentFactory.create(school_class=p.school_class)
        enrol(p.course, student)
        add_student_data(student, p.term, p.course, verifier=p.registry, files=False)
        pending_outcome(student, p)
        make_parent(student)
    other_class = SchoolClassFactory.create(school=p.school, name="199", homeroom_teacher=p.homeroom_teacher)
    for _ in range(2):
        StudentFactory.create(school_class=other_class)
    make_course(p.term, p.subject_teacher, subject="數學", school_class=other_class)
    make_staff(p.school, "subject_teacher", name="新老師")
    other = make_school()
    term = make_term(other)
    teacher = make_staff(other, "subject_teacher", "homeroom_teacher")
    school_class = SchoolClassFactory.create(school=other, homeroom_teacher=teacher)
    student = StudentFactory.create(school_class=school_class)
    course = make_course(term, teacher, school_class=school_class)
    enrol(course, student)
    add_student_data(student, term, course, verifier=teacher, files=False)


def test_page_queries_do_not_grow_with_the_school(personas: Personas) -> None:
    p = personas
    users = {
        **p.by_name(),
        "activities": make_staff(p.school, "activities", name="訓育組長"),
        "discipline": make_staff(p.school, "discipline", name="生輔組長"),
    }
    add_student_data(p.student, p.term, p.course, verifier=p.registry, files=False)
    pending_outcome(p.student, p)
    small = count_pages(p, users)
    grow(p, students=4)
    large = count_pages(p, users)
    grew = {page: f"{small[page]} → {large[page]}" for page in small if large[page] > small[page]}
    assert not grew, grew
