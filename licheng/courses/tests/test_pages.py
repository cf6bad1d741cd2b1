"""Course pages: who sees which course and roster, and how curriculum staff change them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from licheng.courses.models import Course, CourseTeacher, Enrolment
from licheng.courses.tests.makers import new_class, new_student
from licheng.schools.models import Term
from licheng.testing.clients import client_in
from licheng.testing.factories import enrol, make_course, make_staff
from licheng.testing.personas import Personas

CODE = "114123456A1101010000001"


def client_for(user: object) -> Client:
    return client_in("en", user)


def listed(personas: Personas, who: str) -> set[str]:
    page = client_for(personas.by_name()[who]).get(reverse("courses:list")).content.decode()
    return {subject for subject in ("國文", "物理") if f">{subject}</a>" in page}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("school_admin", {"國文", "物理"}),
        ("registry", {"國文", "物理"}),  # offices see every course
        ("subject_teacher", {"國文"}),  # the course they teach
        ("other_teacher", {"物理"}),
        ("homeroom_teacher", {"國文"}),  # their class's course
        ("student", {"國文"}),  # enrolled
        ("parent", {"國文"}),  # their child's course
        ("outsider", set()),  # another school
    ],
)
def test_course_list_per_persona(personas: Personas, who: str, expected: set[str]) -> None:
    assert listed(personas, who) == expected


@pytest.mark.parametrize(
    ("who", "course", "status"),
    [
        ("subject_teacher", "course", 200),
        ("subject_teacher", "other_course", 404),
        ("student", "course", 200),
        ("student", "other_course", 404),
        ("parent", "course", 200),
        ("parent", "other_course", 404),
        ("homeroom_teacher", "course", 200),
        ("registry", "other_course", 200),
        ("outsider", "course", 404),
        ("outsider", "other_course", 404),
    ],
)
def test_course_detail_per_persona(personas: Personas, who: str, course: str, status: int) -> None:
    client = client_for(personas.by_name()[who])
    assert client.get(reverse("courses:detail", args=[getattr(personas, course).pk])).status_code == status


def test_the_roster_is_shown_only_to_those_allowed(personas: Personas) -> None:
    classmate = new_student(school_class=personas.school_class, name="林同學")
    enrol(personas.course, classmate)
    url = reverse("courses:detail", args=[personas.course.pk])
    for who in ("subject_teacher", "homeroom_teacher", "registry", "school_admin"):
        page = client_for(personas.by_name()[who]).get(url).content.decode()
        assert "陳小明" in page and "林同學" in page, who
    page = client_for(personas.student_user).get(url).content.decode()
    assert "陳小明" in page and "林同學" not in page
    page = client_for(personas.parent).get(url).content.decode()
    assert "林同學" not in page


def test_outsider_cannot_change_another_schools_course(personas: Personas) -> None:
    client = client_for(personas.outsider)  # has courses.manage in school B
    course = personas.course
    assert client.get(reverse("courses:edit", args=[course.pk])).status_code == 404
    response = client.post(reverse("courses:enrolment_add", args=[course.pk]), {"student_number": "x"})
    assert response.status_code == 404
    response = client.post(reverse("courses:enrolment_remove", args=[course.pk, personas.student.pk]))
    assert response.status_code == 404
    assert Enrolment.objects.filter(course=course).count() == 1


@pytest.mark.parametrize("who", ["subject_teacher", "homeroom_teacher", "registry", "student", "parent"])
def test_only_course_managers_reach_the_change_pages(personas: Personas, who: str) -> None:
    client = client_for(personas.by_name()[who])
    assert client.get(reverse("courses:create")).status_code == 403
    assert client.get(reverse("courses:edit", args=[personas.course.pk])).status_code == 403
    response = client.post(
        reverse("courses:enrolment_add", args=[personas.other_course.pk]),
        {"student_number": personas.student.student_number},
    )
    assert response.status_code == 403
    assert not Enrolment.objects.filter(course=personas.other_course).exists()


def test_curriculum_creates_and_edits_a_course(personas: Personas) -> None:
    client = client_for(make_staff(personas.school, "curriculum", name="教學組長"))
    response = client.post(
        reverse("courses:create"),
        {"term": personas.term.pk, "course_code": CODE, "subject_name": "英文", "credits": 4,
         "school_class": personas.school_class.pk, "teachers": [personas.other_teacher.pk]},
    )  # fmt: skip
    course = Course.objects.get(subject_name="英文")
    assert response.status_code == 302 and response["Location"] == reverse("courses:detail", args=[course.pk])
    assert list(course.teachers.all()) == [personas.other_teacher]
    response = client.post(
        reverse("courses:edit", args=[course.pk]),
        {"course_code": CODE, "subject_name": "英文", "credits": 3, "group_name": "英文A"},
    )
    course.refresh_from_db()
    assert (course.credits, course.school_class, course.group_name) == (3, None, "英文A")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"course_code": "ABC"}, "A course code is 23 characters of digits and capital letters"),
        ({"school_class": "", "group_name": ""}, "Choose the class, or name the group"),
        ({"credits_per_term": "12"}, "Credits per term are 6 characters"),
    ],
)
def test_bad_course_input_is_refused_on_the_form(personas: Personas, changes: dict, message: str) -> None:
    client = client_for(personas.school_admin)
    data = {
        "term": personas.term.pk, "course_code": CODE, "subject_name": "英文", "credits": 4,
        "school_class": personas.school_class.pk, "teachers": [personas.other_teacher.pk], **changes,
    }  # fmt: skip
    response = client.post(reverse("courses:create"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Course.objects.filter(subject_name="英文").exists()


def test_a_class_or_teacher_of_another_school_is_refused_on_the_form(personas: Personas) -> None:
    foreign_class = new_class(school=personas.other_school, name="909")
    client = client_for(personas.school_admin)
    base = {"term": personas.term.pk, "course_code": CODE, "subject_name": "英文", "credits": 4}
    response = client.post(
        reverse("courses:create"),
        {**base, "school_class": foreign_class.pk, "teachers": [personas.other_teacher.pk]},
    )
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    response = client.post(
        reverse("courses:create"),
        {**base, "school_class": personas.school_class.pk, "teachers": [personas.outsider.pk]},
    )
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert not Course.objects.filter(subject_name="英文").exists()


def test_enrol_and_unenrol_by_student_number(personas: Personas) -> None:
    client = client_for(personas.school_admin)
    course, student = personas.other_course, personas.student
    url = reverse("courses:enrolment_add", args=[course.pk])
    page = client.post(url, {"student_number": student.student_number}, follow=True).content.decode()
    assert "was enrolled" in page
    page = client.post(url, {"student_number": student.student_number}, follow=True).content.decode()
    assert "already enrolled" in page
    page = client.post(url, {"student_number": "nobody"}, follow=True).content.decode()
    assert "No student of this school has the student number “nobody”." in page
    assert Enrolment.objects.filter(course=course).count() == 1
    client.post(reverse("courses:enrolment_remove", args=[course.pk, student.pk]))
    assert not Enrolment.objects.filter(course=course).exists()


def test_a_student_of_another_school_cannot_be_enrolled(personas: Personas) -> None:
    foreign = new_student(school_class=new_class(school=personas.other_school), student_number="B0001")
    client = client_for(personas.school_admin)
    page = client.post(
        reverse("courses:enrolment_add", args=[personas.other_course.pk]), {"student_number": foreign.student_number},
        follow=True,
    ).content.decode()  # fmt: skip
    assert "No student of this school" in page
    assert not Enrolment.objects.filter(student=foreign).exists()


def test_add_and_remove_teachers(personas: Personas) -> None:
    client = client_for(personas.school_admin)
    course = personas.course
    client.post(reverse("courses:teacher_add", args=[course.pk]), {"teacher": personas.other_teacher.pk})
    assert set(course.teachers.all()) == {personas.subject_teacher, personas.other_teacher}
    page = client.post(
        reverse("courses:teacher_add", args=[course.pk]), {"teacher": personas.outsider.pk}, follow=True
    ).content.decode()
    assert "Choose a teacher of this school." in page
    client.post(reverse("courses:teacher_remove", args=[course.pk, personas.subject_teacher.pk]))
    page = client.post(
        reverse("courses:teacher_remove", args=[course.pk, personas.other_teacher.pk]), follow=True
    ).content.decode()
    assert "at least one teacher" in page
    assert list(CourseTeacher.objects.filter(course=course).values_list("teacher", flat=True)) == [
        personas.other_teacher.pk
    ]


def test_filters_and_search(personas: Personas) -> None:
    client = client_for(personas.registry)
    url = reverse("courses:list")
    page = client.get(url, {"term": str(personas.term.pk), "q": "物"}).content.decode()
    assert ">物理</a>" in page and ">國文</a>" not in page
    page = client.get(
        url, {"term": str(personas.term.pk), "teacher": str(personas.subject_teacher.pk)}
    ).content.decode()
    assert ">國文</a>" in page and ">物理</a>" not in page
    page = client.get(url, {"term": str(personas.term.pk), "class": str(personas.school_class.pk)}).content.decode()
    assert ">國文</a>" in page and ">物理</a>" not in page
    other_term = Term.objects.create(
        school=personas.school, academic_year=personas.term.academic_year, number=2,
        starts_on="2026-02-01", ends_on="2026-07-31",
    )  # fmt: skip
    page = client.get(url, {"term": other_term.pk}).content.decode()
    assert "No courses." in page


def test_long_course_list_is_paged(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    from licheng.courses import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    _add_courses(personas, 2)  # 國文, 物理, 選修0, 選修1
    client = client_for(personas.registry)
    url = reverse("courses:list")
    first = client.get(url, {"q": "選修"}).content.decode()
    assert "Page 1 of 1" not in first and ">選修0</a>" in first and ">選修1</a>" in first
    first = client.get(url).content.decode()
    second = client.get(url, {"page": "2"}).content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    shown = [{s for s in ("國文", "物理", "選修0", "選修1") if f">{s}</a>" in page} for page in (first, second)]
    assert len(shown[0]) == len(shown[1]) == 2 and shown[0] | shown[1] == {"國文", "物理", "選修0", "選修1"}
    assert "page=2" in first and "Next" in first and "Previous" in second


def _add_courses(personas: Personas, n: int) -> None:
    for i in range(n):
        teacher = make_staff(personas.school, "subject_teacher")
        course = make_course(personas.term, teacher, subject=f"選修{i}", school_class=personas.school_class)
        CourseTeacher.objects.create(school=personas.school, course=course, teacher=personas.subject_teacher)
        enrol(course, new_student(school_class=personas.school_class))


# Every request: session, user with their school, role grants, role permissions = 4 (the session is
# written again only when its last renewal is over a minute old).
LIST_QUERIES = {
    # terms for the filter, current term, classes and teachers for the filters, the count for the
    # pages, courses with term, year and class, their teachers
    "school_admin": 4 + 7,
    # current term, terms, the count for the pages, courses (narrowed by subqueries), their teachers
    "subject_teacher": 4 + 5,
    "student": 4 + 5,
}


@pytest.mark.parametrize("who", sorted(LIST_QUERIES))
def test_course_list_costs_the_same_as_rows_grow(personas: Personas, django_assert_num_queries, who: str) -> None:
    client = client_for(personas.by_name()[who])
    _add_courses(personas, 3)
    enrol(Course.objects.get(subject_name="選修0"), personas.student)
    client.get(reverse("courses:list"))  # the first request after logging in renews the session
    with django_assert_num_queries(LIST_QUERIES[who]):
        client.get(reverse("courses:list"))
    _add_courses(personas, 6)
    with django_assert_num_queries(LIST_QUERIES[who]):
        client.get(reverse("courses:list"))


def test_course_detail_costs_the_same_as_the_roster_grows(personas: Personas, django_assert_num_queries) -> None:
    client = client_for(personas.subject_teacher)
    url = reverse("courses:detail", args=[personas.course.pk])
    enrol(personas.course, *(new_student(school_class=personas.school_class) for _ in range(2)))
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    enrol(personas.course, *(new_student(school_class=personas.school_class) for _ in range(6)))
    # course with its teachers, whether the user teaches it, the roster with each student's class
    with django_assert_num_queries(len(small.captured_queries)):
        assert "陳小明" in client.get(url).content.decode()
