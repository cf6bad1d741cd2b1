"""``/api/v1/courses``: the same visibility and permissions as the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from licheng.courses.models import Course, Enrolment
from licheng.courses.tests.makers import new_class, new_student
from licheng.testing.factories import enrol, make_staff
from licheng.testing.personas import Personas

CODE = "114123456A1101010000001"


def api(user: object) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)  # type: ignore[arg-type]
    return client


def post(client: Client, path: str, body: dict) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("registry", {"國文", "物理"}),
        ("subject_teacher", {"國文"}),
        ("student", {"國文"}),
        ("parent", {"國文"}),
        ("outsider", set()),
    ],
)
def test_course_list(personas: Personas, who: str, expected: set[str]) -> None:
    courses = api(personas.by_name()[who]).get("/api/v1/courses/").json()
    assert {c["subject_name"] for c in courses} == expected


def test_course_list_by_term(personas: Personas) -> None:
    client = api(personas.registry)
    assert len(client.get("/api/v1/courses/?term=114-1").json()) == 2
    assert client.get("/api/v1/courses/?term=1142").json() == []
    assert client.get("/api/v1/courses/?term=114-3").status_code == 422


def test_course_detail_and_404s(personas: Personas) -> None:
    data = api(personas.student_user).get(f"/api/v1/courses/{personas.course.pk}").json()
    assert data["term"] == "114-1" and data["teachers"] == [{"id": personas.subject_teacher.pk, "name": "李老師"}]
    assert api(personas.student_user).get(f"/api/v1/courses/{personas.other_course.pk}").status_code == 404
    assert api(personas.outsider).get(f"/api/v1/courses/{personas.course.pk}").status_code == 404


def test_enrolments_as_far_as_the_caller_may_see(personas: Personas) -> None:
    enrol(personas.course, new_student(school_class=personas.school_class, name="林同學"))
    path = f"/api/v1/courses/{personas.course.pk}/enrolments"
    assert {e["name"] for e in api(personas.subject_teacher).get(path).json()} == {"陳小明", "林同學"}
    assert {e["name"] for e in api(personas.student_user).get(path).json()} == {"陳小明"}
    assert api(personas.other_teacher).get(path).status_code == 404
    assert api(personas.outsider).get(path).status_code == 404


def _course_body(personas: Personas, **changes: object) -> dict:
    return {
        "term": "114-1",
        "course_code": CODE,
        "subject_name": "英文",
        "credits": 4,
        "class_id": personas.school_class.pk,
        "teacher_ids": [personas.other_teacher.pk],
        **changes,
    }


def test_create_a_course(personas: Personas) -> None:
    client = api(make_staff(personas.school, "curriculum"))
    response = post(client, "/api/v1/courses/", _course_body(personas))
    assert response.status_code == 201
    assert response.json()["class_name"] == "101" and response.json()["teachers"][0]["name"] == "張老師"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"course_code": "short"}, "course_code"),
        ({"term": "113-1"}, "term"),
        ({"term": "nonsense"}, "term"),
        ({"class_id": None, "group_name": ""}, "school_class"),
        ({"teacher_ids": []}, "teachers"),
        ({"credits_per_term": "4"}, "credits_per_term"),
    ],
)
def test_bad_courses_answer_422(personas: Personas, changes: dict, field: str) -> None:
    response = post(api(personas.school_admin), "/api/v1/courses/", _course_body(personas, **changes))
    assert response.status_code == 422
    assert response.json()["field"] == field and response.json()["message"]
    assert not Course.objects.filter(subject_name="英文").exists()


def test_another_schools_class_or_teacher_answers_422(personas: Personas) -> None:
    foreign = new_class(school=personas.other_school)
    client = api(personas.school_admin)
    response = post(client, "/api/v1/courses/", _course_body(personas, class_id=foreign.pk))
    assert response.status_code == 422 and response.json()["field"] == "class_id"
    response = post(client, "/api/v1/courses/", _course_body(personas, teacher_ids=[personas.outsider.pk]))
    assert response.status_code == 422 and response.json()["field"] == "teacher_ids"
    assert not Course.objects.filter(subject_name="英文").exists()


@pytest.mark.parametrize("who", ["subject_teacher", "registry", "student"])
def test_only_managers_create_courses(personas: Personas, who: str) -> None:
    assert post(api(personas.by_name()[who]), "/api/v1/courses/", _course_body(personas)).status_code == 403


def test_add_an_enrolment(personas: Personas) -> None:
    client = api(personas.school_admin)
    path = f"/api/v1/courses/{personas.other_course.pk}/enrolments"
    response = post(client, path, {"student_number": personas.student.student_number})
    assert response.status_code == 201 and response.json()["name"] == "陳小明"
    response = post(client, path, {"student_number": personas.student.student_number})
    assert response.status_code == 422 and "already enrolled" in response.json()["message"]
    response = post(client, path, {"student_number": "nobody"})
    assert response.status_code == 422 and response.json()["field"] == "student_number"
    assert Enrolment.objects.filter(course=personas.other_course).count() == 1
    assert post(api(personas.outsider), path, {"student_number": "x"}).status_code == 404
