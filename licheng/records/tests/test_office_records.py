"""Office-entered learning records: flexible learning, service learning, group activity,
certificates, competitions and internship cadres — import with preview and row errors, re-import
updates, form, API, export, the student's portfolio shows them as staff-verified, sealed students
refused, list queries constant."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from licheng.performances.models import Performance, Source
from licheng.records.models import ImportBatch, OfficeRecord
from licheng.records.tests.conftest import csv_bytes, upload, xlsx
from licheng.testing.clients import client_in
from licheng.testing.factories import StudentFactory, make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db

FLEXIBLE_HEADER = ["學號", "學年期", "彈性學習類別", "名稱", "開設單位", "每週節數", "週數"]


@pytest.fixture
def internship(personas: Personas) -> Client:
    return client_in("zh-hant", make_staff(personas.school, "internship", username="internship", name="實習主任"))


def _check(client: Client, kind: str, name: str, content: bytes) -> ImportBatch:
    url = reverse("records:import_start", kwargs={"kind": kind})
    response = client.post(url, {"file": upload(name, content)}, follow=True)
    assert response.status_code == 200
    batch = ImportBatch.objects.filter(record_type=kind).order_by("-pk").first()
    assert batch is not None, response.content.decode()[-2000:]
    return batch


def _apply(client: Client, batch: ImportBatch) -> str:
    url = reverse("records:import_apply", kwargs={"kind": batch.record_type, "pk": batch.pk})
    return client.post(url, follow=True).content.decode()


def test_flexible_learning_import_becomes_staff_verified_performances_and_reimport_updates(
    personas: Personas, internship: Client
) -> None:
    number = personas.student.student_number
    rows: list[list[Any]] = [
        FLEXIBLE_HEADER,
        [number, "114-1", 1, "自主學習：程式設計", "教務處", 2, 18],
        [number, "114-2", 3, "充實課程：英文寫作", "教務處", 2, 9],
    ]
    batch = _check(internship, "flexible_learning", "flex.xlsx", xlsx(rows))
    assert batch.error_count == 0, batch.errors
    assert not Performance.objects.exists()  # the preview writes nothing
    assert "新增 2 筆" in _apply(internship, batch)
    performances = Performance.objects.filter(student=personas.student).order_by("pk")
    assert [p.source for p in performances] == [Source.OFFICE, Source.OFFICE]
    assert performances[0].fields["title"] == "自主學習：程式設計"
    assert performances[0].description == "彈性學習時間：自主學習：程式設計"
    assert performances[0].office == "internship"
    # The student sees them in their portfolio, marked as staff-verified.
    page = client_in("zh-hant", personas.student_user).get(reverse("performances:mine")).content.decode()
    assert "自主學習：程式設計" in page

    rows[2][6] = 10  # one more week
    batch = _check(internship, "flexible_learning", "flex.csv", csv_bytes(rows))
    assert batch.error_count == 0, batch.errors
    _apply(internship, batch)
    batch.refresh_from_db()
    assert batch.summary == {"created": 0, "updated": 1, "unchanged": 1}
    assert Performance.objects.count() == 2 and OfficeRecord.objects.count() == 2
    assert Performance.objects.get(fields__title="充實課程：英文寫作").fields["weeks"] == 10


def test_bad_rows_are_listed_and_nothing_is_written(personas: Personas, internship: Client) -> None:
    number = personas.student.student_number
    sealed = StudentFactory.create(school_class=personas.school_class, sealed_at=timezone.now())
    rows: list[list[Any]] = [
        FLEXIBLE_HEADER,
        [number, "114-1", 1, "自主學習", "教務處", 2, 18],
        [number, "114-1", 7, "不存在的類別", "教務處", 2, 18],
        ["S999", "114-1", 1, "自主學習", "教務處", 2, 18],
        [sealed.student_number, "114-1", 1, "自主學習", "教務處", 2, 18],
        [number, "130-1", 1, "未來", "教務處", 2, 18],
        [number, "114-1", 1, "=HYPERLINK(1)", "教務處", 2, 18],
    ]
    batch = _check(internship, "flexible_learning", "flex.xlsx", xlsx(rows))
    errors = {(e["line"], e["column"]) for e in batch.errors}
    assert errors == {(3, "flexible_kind"), (4, "student_number"), (5, "student_number"), (6, "term"), (7, "title")}
    sealed_message = next(e["message"] for e in batch.errors if e["line"] == 5)
    assert "封存" in sealed_message
    page = _apply(internship, batch)
    assert "未匯入" in page or "沒有匯入" in page or "5" in page
    assert not Performance.objects.exists() and not OfficeRecord.objects.exists()


def test_form_enters_a_certificate_and_refuses_the_same_one_twice(personas: Personas, internship: Client) -> None:
    url = reverse("records:office_record_create", kwargs={"kind": "certificates"})
    data = {
        "student_number": personas.student.student_number,
        "certificate_code": "1100301",
        "certificate_kind": "2",
        "date": "114.11.20",
        "certificate_number": "1100301-114-001",
    }
    response = internship.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    entry = OfficeRecord.objects.get()
    assert entry.performance.fields["date"] == "2025-11-20"
    assert entry.performance.is_staff_verified and entry.academic_year == 114
    listed = internship.get(reverse("records:office_records") + "?kind=certificates").content.decode()
    assert "114.11.20" in listed and "2025-11-20" not in listed
    again = internship.post(url, data)
    assert again.status_code == 200 and "已經有這筆紀錄" in again.content.decode()
    assert OfficeRecord.objects.count() == 1
    edit = reverse("records:office_record_edit", kwargs={"pk": entry.pk})
    assert internship.get(edit).status_code == 200
    response = internship.post(edit, {**data, "score": "甲級"})
    assert response.status_code == 302
    assert Performance.objects.get().fields["score"] == "甲級"


def test_sealed_student_cannot_be_given_a_record(personas: Personas, internship: Client) -> None:
    sealed = StudentFactory.create(school_class=personas.school_class, sealed_at=timezone.now())
    url = reverse("records:office_record_create", kwargs={"kind": "internship_cadres"})
    data = {"student_number": sealed.student_number, "unit": "實習工廠", "start": "114.09.01", "post": "領班"}
    response = internship.post(url, data)
    assert response.status_code == 200 and "封存" in response.content.decode()
    assert not OfficeRecord.objects.exists()


def test_api_creates_and_lists_competitions(personas: Personas, internship: Client) -> None:
    payload: dict[str, Any] = {
        "kind": "competitions",
        "student_number": personas.student.student_number,
        "fields": {
            "name": "全國技能競賽",
            "event": "機電整合",
            "level": "3",
            "award": "佳作",
            "result_date": "114.12.01",
            "participation": "1",
        },
    }
    url = reverse("api-v1:records_office_record_create")
    response = internship.post(url, json.dumps(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["fields"]["result_date"] == "2025-12-01"
    bad = internship.post(
        url, json.dumps({**payload, "fields": {**payload["fields"], "level": "9"}}), content_type="application/json"
    )
    assert bad.status_code == 422
    rows = internship.get(reverse("api-v1:records_office_records") + "?kind=competitions").json()
    assert [r["fields"]["name"] for r in rows] == ["全國技能競賽"]
    teacher = client_in("zh-hant", personas.subject_teacher)
    assert teacher.get(reverse("api-v1:records_office_records") + "?kind=competitions").status_code == 403


def test_export_imports_back_unchanged(personas: Personas, internship: Client) -> None:
    number = personas.student.student_number
    header = ["學號", "服務名稱", "服務單位", "開始日期", "結束日期", "時數"]
    rows: list[list[Any]] = [header, [number, "淨灘服務", "海洋保育協會", "114.10.01", "114.10.01", 4]]
    _apply(internship, _check(internship, "service_learning", "s.xlsx", xlsx(rows)))
    response = internship.get(reverse("records:office_record_export") + "?kind=service_learning")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    exported = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert exported[1][:6] == [number, "淨灘服務", "海洋保育協會", "114.10.01", "114.10.01", "4"]
    batch = _check(internship, "service_learning", "back.xlsx", response.content)
    assert batch.error_count == 0, batch.errors
    _apply(internship, batch)
    batch.refresh_from_db()
    assert batch.summary == {"created": 0, "updated": 0, "unchanged": 1}


def test_list_queries_do_not_grow_with_rows(
    personas: Personas, internship: Client, django_assert_max_num_queries: object
) -> None:
    header = ["學號", "學年期", "團體活動類別", "單位名稱", "名稱", "節數"]
    students = [StudentFactory.create(school_class=personas.school_class) for _ in range(12)]
    rows: list[list[Any]] = [header] + [[s.student_number, "114-1", 2, "熱音社", "社團成果發表", 6] for s in students]
    _apply(internship, _check(internship, "group_activity", "g.xlsx", xlsx(rows)))
    assert OfficeRecord.objects.count() == 12
    url = reverse("records:office_records") + "?kind=group_activity"
    # session, user, roles, permissions, count, page of records with students/classes/performances,
    # code tables, classes
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        page = internship.get(url)
    assert page.status_code == 200 and "社團成果發表" in page.content.decode()


def test_others_may_not_open_the_pages(personas: Personas) -> None:
    for user in (personas.student_user, personas.subject_teacher, personas.registry):
        client = client_in("zh-hant", user)
        assert client.get(reverse("records:office_records")).status_code == 403


def _certificate(personas: Personas, internship: Client, student_number: str) -> OfficeRecord:
    url = reverse("records:office_record_create", kwargs={"kind": "certificates"})
    data = {
        "student_number": student_number,
        "certificate_code": "1100301",
        "certificate_kind": "2",
        "date": "114.11.20",
    }
    assert internship.post(url, data).status_code == 302
    return OfficeRecord.objects.get(student__student_number=student_number)


def test_a_record_entered_for_the_wrong_student_is_deleted_and_the_student_told_why(
    personas: Personas, internship: Client
) -> None:
    from licheng.audit.models import AuditEntry
    from licheng.notifications.models import Notification
    from licheng.performances.models import PerformanceSelection

    entry = _certificate(personas, internship, personas.student.student_number)
    performance = entry.performance
    PerformanceSelection.objects.create(
        school=personas.school,
        student=personas.student,
        academic_year=performance.academic_year,
        performance=performance,
    )
    edit = reverse("records:office_record_edit", kwargs={"pk": entry.pk})
    assert "刪除這筆紀錄" in internship.get(edit).content.decode()

    response = internship.post(reverse("records:office_record_delete", kwargs={"pk": entry.pk}), {"reason": "誤植學號"})
    assert response.status_code == 302
    assert not OfficeRecord.objects.exists()
    performance.refresh_from_db()
    assert performance.withdrawn_at is not None
    assert not PerformanceSelection.objects.exists()
    notice = Notification.objects.get(user=personas.student_user)
    assert notice.params["reason"] == "誤植學號"
    assert {"performance.withdraw_by_office", "records.office_record_deleted"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )
    mine = client_in("zh-hant", personas.student_user).get(reverse("api-v1:performances_mine")).json()
    assert performance.pk not in [p["id"] for p in mine]
    # The same record can now be entered for the right student, and again for this one.
    other = StudentFactory.create(school_class=personas.school_class)
    assert _certificate(personas, internship, other.student_number).performance.withdrawn_at is None
    assert _certificate(personas, internship, personas.student.student_number).performance.withdrawn_at is None


def test_deleting_without_a_reason_changes_nothing(personas: Personas, internship: Client) -> None:
    entry = _certificate(personas, internship, personas.student.student_number)
    url = reverse("records:office_record_delete", kwargs={"pk": entry.pk})
    response = internship.post(url, {"reason": "  "}, follow=True)
    assert "說明刪除的原因" in response.content.decode()
    entry.refresh_from_db()
    assert entry.performance.withdrawn_at is None
    assert internship.get(url).status_code == 405  # only a form's POST deletes


def test_a_sealed_students_record_cannot_be_deleted(personas: Personas, internship: Client) -> None:
    entry = _certificate(personas, internship, personas.student.student_number)
    personas.student.sealed_at = timezone.now()
    personas.student.save(update_fields=["sealed_at"])
    response = internship.post(reverse("records:office_record_delete", kwargs={"pk": entry.pk}), {"reason": "誤植"})
    assert response.status_code == 302
    assert OfficeRecord.objects.filter(pk=entry.pk).exists()


def test_api_deletes_a_record_with_its_reason(personas: Personas, internship: Client) -> None:
    entry = _certificate(personas, internship, personas.student.student_number)
    url = reverse("api-v1:records_office_record_delete", kwargs={"record_id": entry.pk})
    missing = internship.delete(url, json.dumps({"reason": ""}), content_type="application/json")
    assert missing.status_code == 422 and OfficeRecord.objects.exists()
    response = internship.delete(url, json.dumps({"reason": "重複登錄"}), content_type="application/json")
    assert response.status_code == 204 and not OfficeRecord.objects.exists()
    assert (
        internship.delete(url, json.dumps({"reason": "重複登錄"}), content_type="application/json").status_code == 404
    )
