"""Importing student course choices (選課結果) into enrolments, with the same framework."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from licheng.courses.models import Enrolment
from licheng.records.models import ImportBatch
from licheng.records.tests.conftest import CODE, upload, xlsx
from licheng.testing.clients import client_in
from licheng.testing.factories import StudentFactory, make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db
START = reverse("records:import_start", kwargs={"kind": "enrolments"})
HEADER = ["學號", "學年期", "課程代碼", "班級或群組"]


@pytest.fixture
def curriculum(personas: Personas) -> Client:
    return client_in("zh-hant", make_staff(personas.school, "curriculum", username="curriculum"))


def _check(client: Client, rows: list[list[object]]) -> tuple[ImportBatch, str]:
    client.post(START, {"file": upload("choices.xlsx", xlsx([HEADER, *rows]))})
    batch = ImportBatch.objects.order_by("-pk").first()
    assert batch is not None
    url = reverse("records:import_detail", kwargs={"kind": "enrolments", "pk": batch.pk})
    return batch, client.get(url).content.decode()


def test_enrol_then_reimport_changes_nothing(personas: Personas, curriculum: Client) -> None:
    other = StudentFactory.create(school_class=personas.school_class)
    rows: list[list[object]] = [
        [personas.student.student_number, "114-1", CODE, "選修A"],
        [other.student_number, "114-1", CODE, "101"],
    ]
    before = Enrolment.objects.count()
    batch, _page = _check(curriculum, rows)
    assert batch.errors == []
    curriculum.post(reverse("records:import_apply", kwargs={"kind": "enrolments", "pk": batch.pk}))
    batch.refresh_from_db()
    # The student already took the class course; the elective and the other student are new.
    assert batch.summary == {"created": 2, "updated": 0, "unchanged": 0}
    assert Enrolment.objects.count() == before + 2
    batch, _page = _check(curriculum, rows)
    curriculum.post(reverse("records:import_apply", kwargs={"kind": "enrolments", "pk": batch.pk}))
    batch.refresh_from_db()
    assert batch.summary == {"created": 0, "updated": 0, "unchanged": 2}


def test_ambiguous_and_unknown_courses(personas: Personas, curriculum: Client) -> None:
    number = personas.student.student_number
    rows: list[list[object]] = [[number, "114-1", CODE, ""], [number, "114-2", CODE, ""]]
    batch, page = _check(curriculum, rows)
    assert "第 2 列，班級或群組欄" in page and "101、選修A" in page
    assert "第 3 列，課程代碼欄" in page
    curriculum.post(reverse("records:import_apply", kwargs={"kind": "enrolments", "pk": batch.pk}))
    assert Enrolment.objects.count() == 1  # only the personas' own enrolment
