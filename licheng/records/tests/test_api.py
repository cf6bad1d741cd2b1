"""``/api/v1/records``."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from licheng.records.models import Grade
from licheng.records.tests.conftest import CODE
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, data: dict[str, object]) -> object:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_create_list_and_transcript(personas: Personas, registry: Client) -> None:
    payload = {
        "student_number": personas.student.student_number,
        "term": "114-1",
        "course_code": CODE,
        "subject_name": "國文",
        "grade_level": 10,
        "credits": 4,
        "score": "88.5",
        "passed": True,
    }
    response = _post(registry, "/api/v1/records/grades", payload)
    assert response.status_code == 201, response.content  # type: ignore[attr-defined]
    assert Grade.objects.get().score == 88.5
    again = _post(registry, "/api/v1/records/grades", payload)
    assert again.status_code == 422  # type: ignore[attr-defined]
    rows = registry.get("/api/v1/records/grades?term=114-1").json()
    assert [r["subject_name"] for r in rows] == ["國文"]
    student = client_in("zh-hant", personas.student_user)
    transcript = student.get(f"/api/v1/records/students/{personas.student.pk}/transcript").json()
    assert transcript["earned"] == 4 and transcript["terms"][0]["term"] == "114-1"
    teacher = client_in("zh-hant", personas.subject_teacher)
    assert teacher.get(f"/api/v1/records/students/{personas.student.pk}/transcript").status_code == 404
    assert teacher.get("/api/v1/records/grades").status_code == 403
    assert _post(teacher, "/api/v1/records/grades", payload).status_code == 403  # type: ignore[attr-defined]


def test_course_codes(personas: Personas, registry: Client) -> None:
    assert registry.get("/api/v1/records/course-codes").json() == []
    assert client_in("zh-hant", personas.student_user).get("/api/v1/records/course-codes").status_code == 403
