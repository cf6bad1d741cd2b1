"""A sealed student (graduated or left, 封存) is read-only: every records service refuses to
change them, and in every import a row naming them is a row error (nothing is written)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from licheng.records.models import AttendanceRecord, CadreRole, Grade, ImportBatch
from licheng.records.tests.conftest import CODE, GRADE_HEADER, grade_row, upload, xlsx
from licheng.testing.clients import client_in
from licheng.testing.factories import StudentFactory, make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db
SEALED = "封存"


@pytest.fixture
def sealed(personas: Personas):  # type: ignore[no-untyped-def]
    return StudentFactory.create(school_class=personas.school_class, name="離校生", sealed_at=timezone.now())


def _batch(client: Client, kind: str, content: bytes) -> ImportBatch:
    client.post(reverse("records:import_start", kwargs={"kind": kind}), {"file": upload("f.xlsx", content)})
    batch = ImportBatch.objects.filter(record_type=kind).order_by("-pk").first()
    assert batch is not None
    return batch


@pytest.mark.parametrize(
    ("kind", "header", "row"),
    [
        ("grades", GRADE_HEADER, lambda n: grade_row(n)),
        ("attendance", ["學號", "學年期", "假別", "節數"], lambda n: [n, "114-1", "病假", 2]),
        ("enrolments", ["學號", "學年期", "課程代碼", "班級或群組"], lambda n: [n, "114-1", CODE, "101"]),
        ("profiles", ["學號", "姓名"], lambda n: [n, "新名字"]),
    ],
)
def test_an_import_row_for_a_sealed_student_is_a_row_error(
    personas: Personas, sealed: object, kind: str, header: list[str], row: object
) -> None:
    client = client_in("zh-hant", personas.school_admin)
    number = sealed.student_number  # type: ignore[attr-defined]
    batch = _batch(client, kind, xlsx([header, row(personas.student.student_number), row(number)]))  # type: ignore[operator]
    assert [(e["line"], e["column"]) for e in batch.errors] == [(3, "student_number")], batch.errors
    assert SEALED in batch.errors[0]["message"]
    response = client.post(reverse("records:import_apply", kwargs={"kind": kind, "pk": batch.pk}))
    assert response.status_code == 302
    assert not Grade.objects.exists() and not AttendanceRecord.objects.exists()


def test_forms_refuse_a_sealed_student(personas: Personas, sealed: object) -> None:
    client = client_in("zh-hant", personas.school_admin)
    number = sealed.student_number  # type: ignore[attr-defined]
    grade = {
        "student_number": number,
        "term": "114-1",
        "variant": "regular",
        "course_code": CODE,
        "subject_name": "國文",
        "grade_level": 10,
        "credits": 4,
    }
    response = client.post(reverse("records:grade_create"), grade)
    assert response.status_code == 200 and SEALED in response.content.decode()
    attendance = {"student_number": number, "term": "114-1", "kind": "sick", "periods": 2}
    response = client.post(reverse("records:attendance_create"), attendance)
    assert response.status_code == 200 and SEALED in response.content.decode()
    assert not Grade.objects.exists() and not AttendanceRecord.objects.exists()


def test_a_sealed_students_records_cannot_be_changed_deleted_or_verified(personas: Personas, sealed: object) -> None:
    role = CadreRole.objects.create(
        school=personas.school,
        student=sealed,  # type: ignore[misc]
        academic_year=113,
        term=2,
        unit="101班",
        post="班長",
        level=2,
        starts_on=datetime.date(2025, 2, 1),
        ends_on=datetime.date(2025, 6, 30),
    )
    activities = client_in("zh-hant", make_staff(personas.school, "activities", username="act", name="訓育組長"))
    edit = reverse("records:cadre_role_edit", kwargs={"pk": role.pk})
    data = {
        "student_number": sealed.student_number,  # type: ignore[attr-defined]
        "term": "113-2",
        "unit": "101班",
        "post": "副班長",
        "level": 2,
        "starts_on": "114.02.01",
        "ends_on": "114.06.30",
    }
    response = activities.post(edit, data)
    assert response.status_code == 200 and SEALED in response.content.decode()
    activities.post(reverse("records:cadre_role_delete", kwargs={"pk": role.pk}))
    activities.post(reverse("records:cadre_roles_verify"))
    role.refresh_from_db()
    assert (role.post, role.verified_at) == ("班長", None)


def test_counselling_import_refuses_a_sealed_student(personas: Personas, sealed: object) -> None:
    from licheng.counselling.models import CounsellingImport, CounsellingSession

    guidance = client_in("zh-hant", make_staff(personas.school, "guidance", username="g", name="輔導老師"))
    header = ["日期", "開始時間", "結束時間", "諮詢類型", "地點", "學號", "諮詢內容", "建議"]
    number = sealed.student_number  # type: ignore[attr-defined]
    content = xlsx([header, ["114.10.01", "10:00", "10:50", "個別", "輔導室", number, "選課", ""]])
    guidance.post(reverse("counselling:import_start"), {"file": upload("c.xlsx", content)})
    batch = CounsellingImport.objects.get()
    assert [e["column"] for e in batch.errors] == ["student_numbers"] and SEALED in batch.errors[0]["message"]
    assert not CounsellingSession.objects.exists()
