"""Elective course names (選修課程名稱) and continuing-education grades counted in periods."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from licheng.records.models import ElectiveCourseName, Grade, ImportBatch
from licheng.records.tests.conftest import CODE, csv_bytes, upload, xlsx
from licheng.testing.clients import client_in
from licheng.testing.factories import make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db

ELECTIVE_HEADER = ["學年期", "課程代碼", "選修課程名稱", "選修類別", "開課年級"]


@pytest.fixture
def curriculum(personas: Personas) -> Client:
    return client_in("zh-hant", make_staff(personas.school, "curriculum", username="curriculum", name="教學組長"))


def _import(client: Client, kind: str, name: str, content: bytes) -> tuple[ImportBatch, str]:
    url = reverse("records:import_start", kwargs={"kind": kind})
    client.post(url, {"file": upload(name, content)})
    batch = ImportBatch.objects.filter(record_type=kind).order_by("-pk").first()
    assert batch is not None
    page = ""
    if batch.error_count == 0:
        response = client.post(reverse("records:import_apply", kwargs={"kind": kind, "pk": batch.pk}), follow=True)
        page = response.content.decode()
    return batch, page


def test_elective_names_import_update_export(personas: Personas, curriculum: Client) -> None:
    rows: list[list[Any]] = [ELECTIVE_HEADER, ["114-1", CODE, "程式設計與生活", "多元選修", 10]]
    batch, _page = _import(curriculum, "elective_names", "e.xlsx", xlsx(rows))
    assert batch.error_count == 0, batch.errors
    assert ElectiveCourseName.objects.get().name == "程式設計與生活"
    rows[1][2] = "程式設計與生活應用"
    batch, _page = _import(curriculum, "elective_names", "e.csv", csv_bytes(rows))
    batch.refresh_from_db()
    assert batch.summary == {"created": 0, "updated": 1, "unchanged": 0}
    assert ElectiveCourseName.objects.get().name == "程式設計與生活應用"
    from licheng.audit.models import AuditRowChange

    change = AuditRowChange.objects.get(entry__action="records.import_applied", entry__object_id=str(batch.pk))
    assert change.changes == {"name": ["程式設計與生活", "程式設計與生活應用"]}
    response = curriculum.get(reverse("records:elective_name_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert list(sheet.iter_rows(values_only=True))[1] == ("114-1", CODE, "程式設計與生活應用", "多元選修", 10)
    listing = client_in("zh-hant", personas.registry).get(reverse("records:elective_names")).content.decode()
    assert "程式設計與生活應用" in listing


def test_elective_names_bad_rows_change_nothing(personas: Personas, curriculum: Client) -> None:
    rows: list[list[Any]] = [
        ELECTIVE_HEADER,
        ["114-1", "114123456A1101010000099", "未知代碼", "多元選修", 10],
        ["114-1", CODE, "名稱", "必修", 10],
        ["114-3", CODE, "名稱", "多元選修", 10],
    ]
    batch, _page = _import(curriculum, "elective_names", "e.xlsx", xlsx(rows))
    assert {(e["line"], e["column"]) for e in batch.errors} == {(2, "course_code"), (3, "category"), (4, "term")}
    assert not ElectiveCourseName.objects.exists()


def test_elective_name_form_and_api(personas: Personas, curriculum: Client) -> None:
    data = {"term": "114-2", "course_code": CODE, "name": "數學探究", "category": "advanced", "grade_level": 11}
    assert curriculum.post(reverse("records:elective_name_create"), data).status_code == 302
    again = curriculum.post(reverse("records:elective_name_create"), data)
    assert again.status_code == 200 and ElectiveCourseName.objects.count() == 1
    entry = ElectiveCourseName.objects.get()
    assert curriculum.get(reverse("records:elective_name_edit", kwargs={"pk": entry.pk})).status_code == 200
    url = reverse("api-v1:records_elective_name_create")
    payload = {**data, "term": "115-1"}
    assert curriculum.post(url, json.dumps(payload), content_type="application/json").status_code == 201
    bad = curriculum.post(url, json.dumps({**payload, "course_code": "X"}), content_type="application/json")
    assert bad.status_code == 422
    listed = curriculum.get(reverse("api-v1:records_elective_names") + "?term=115-1").json()
    assert [e["name"] for e in listed] == ["數學探究"]
    teacher = client_in("zh-hant", personas.subject_teacher)
    assert teacher.post(reverse("records:elective_name_create"), data).status_code == 403


def test_continuing_education_grades_carry_periods_instead_of_credits(personas: Personas, registry: Client) -> None:
    number = personas.student.student_number
    header = ["學號", "學年期", "課程代碼", "科目名稱", "開課年級", "學分數", "節數", "學期成績", "是否及格"]
    rows: list[list[Any]] = [
        header,
        [number, "114-1", CODE, "國文", 10, "", 72, 80, 1],
        [number, "114-2", CODE, "國文", 10, "", "", 80, 1],
    ]
    batch, _page = _import(registry, "grades", "g.xlsx", xlsx(rows))
    assert [(e["line"], e["column"]) for e in batch.errors] == [(3, "credits")]
    assert not Grade.objects.exists()
    batch, _page = _import(registry, "grades", "g.xlsx", xlsx(rows[:2]))
    assert batch.error_count == 0
    grade = Grade.objects.get()
    assert (grade.credits, grade.periods, grade.periods_earned) == (0, 72, 72)
    transcript = registry.get(reverse("records:transcript", kwargs={"pk": personas.student.pk})).content.decode()
    assert "72 節" in transcript
    exported = registry.get(reverse("records:grade_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    header_row, first = list(sheet.iter_rows(values_only=True))[:2]
    assert first[header_row.index("節數")] == 72


def test_a_continuing_education_file_may_leave_out_the_credits_column(personas: Personas, registry: Client) -> None:
    number = personas.student.student_number
    header = ["學號", "學年期", "課程代碼", "科目名稱", "開課年級", "節數", "學期成績", "是否及格"]
    batch, _page = _import(
        registry, "grades", "g.csv", csv_bytes([header, [number, "114-1", CODE, "國文", 10, 54, 70, 1]])
    )
    assert batch.error_count == 0, batch.errors
    assert Grade.objects.get().periods == 54
