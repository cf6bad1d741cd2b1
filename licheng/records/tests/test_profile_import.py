"""Importing student profiles: updates existing students; impossible ROC dates and taken seats refused."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from licheng.people.models import Student
from licheng.records.models import ImportBatch
from licheng.records.tests.conftest import upload, xlsx
from licheng.testing.factories import StudentFactory
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db
START = reverse("records:import_start", kwargs={"kind": "profiles"})
HEADER = ["學號", "姓名", "班級", "座號", "出生日期"]


def _import(client: Client, rows: list[list[Any]]) -> tuple[ImportBatch, str]:
    client.post(START, {"file": upload("profiles.xlsx", xlsx([HEADER, *rows]))})
    batch = ImportBatch.objects.order_by("-pk").first()
    assert batch is not None
    page = client.get(reverse("records:import_detail", kwargs={"kind": "profiles", "pk": batch.pk})).content.decode()
    return batch, page


def test_update_and_swap_seats(personas: Personas, registry: Client) -> None:
    a = personas.student
    b = StudentFactory.create(school_class=personas.school_class, seat=2)
    Student.objects.filter(pk=a.pk).update(seat=1)
    a.refresh_from_db()
    rows = [
        [a.student_number, "陳大明", "101", b.seat, "98.02.28"],
        [b.student_number, b.name, "101", a.seat, "0980301"],
    ]
    batch, _page = _import(registry, rows)
    assert batch.errors == []
    registry.post(reverse("records:import_apply", kwargs={"kind": "profiles", "pk": batch.pk}))
    a_seat, b_seat = a.seat, b.seat
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.name, a.seat, a.birth_date) == ("陳大明", b_seat, datetime.date(2009, 2, 28))
    assert (b.seat, b.birth_date) == (a_seat, datetime.date(2009, 3, 1))


def test_impossible_date_unknown_class_taken_seat(personas: Personas, registry: Client) -> None:
    other = StudentFactory.create(school_class=personas.school_class, seat=7)
    number = personas.student.student_number
    rows: list[list[Any]] = [
        [number, "陳小明", "101", other.seat, "98.02.30"],
        ["9999999", "某人", "999", 1, "2009-01-01"],
    ]
    batch, page = _import(registry, rows)
    assert "第 2 列，出生日期欄：98.02 沒有 30 日。" in page
    assert f"座號 {other.seat} 已由學號 {other.student_number} 的學生使用。" in page
    assert "第 3 列，學號欄：本校沒有學號 9999999 的學生。" in page
    assert "第 3 列，班級欄：本校 114 學年度沒有「999」班。" in page
    assert "第 3 列，出生日期欄：「2009-01-01」是西元日期" in page
    registry.post(reverse("records:import_apply", kwargs={"kind": "profiles", "pk": batch.pk}))
    personas.student.refresh_from_db()
    assert Student.objects.get(pk=personas.student.pk).birth_date == datetime.date(2009, 5, 17)


def test_subject_teacher_may_not_import_profiles(personas: Personas) -> None:
    from licheng.testing.clients import client_in

    assert client_in("zh-hant", personas.subject_teacher).get(START).status_code == 403


ROSTER_HEADER = [
    "學號",
    "姓名",
    "群別代碼",
    "科班學程別代碼",
    "班別",
    "特殊身分別",
    "原住民族別",
    "原住民身分別",
    "族語認證報考方言",
    "報考年度",
    "族語認證有效日期",
    "實驗班名稱",
    "入學方式",
]


def _import_roster(client: Client, rows: list[list[Any]]) -> tuple[ImportBatch, str]:
    client.post(START, {"file": upload("profiles.xlsx", xlsx([ROSTER_HEADER, *rows]))})
    batch = ImportBatch.objects.order_by("-pk").first()
    assert batch is not None
    page = client.get(reverse("records:import_detail", kwargs={"kind": "profiles", "pk": batch.pk})).content.decode()
    return batch, page


def test_roster_codes_are_imported(personas: Personas, registry: Client) -> None:
    a = personas.student
    b = StudentFactory.create(school_class=personas.school_class)
    rows: list[list[Any]] = [
        [a.student_number, a.name, "21", "101", "1", "1、5", "01", "1", "南勢阿美語", 113, "115.11.01", "", "02"],
        [b.student_number, b.name, "22", "301", "2", "", "", "", "", "", "", "數理實驗班", "7"],
    ]
    batch, page = _import_roster(registry, rows)
    assert batch.errors == [], page
    registry.post(reverse("records:import_apply", kwargs={"kind": "profiles", "pk": batch.pk}))
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.group_code, a.programme_code, a.class_type, a.special_statuses) == ("21", "101", "1", "1,5")
    assert (a.indigenous_ethnicity, a.indigenous_status, a.indigenous_language_dialect) == ("01", "1", "南勢阿美語")
    assert (a.indigenous_language_exam_year, a.indigenous_language_valid_until) == (113, datetime.date(2026, 11, 1))
    assert (a.admission_route, a.experimental_class) == ("02", "")
    assert (b.group_code, b.class_type, b.experimental_class, b.admission_route) == ("22", "2", "數理實驗班", "7")
    assert b.indigenous_language_valid_until is None
    # The 7-digit form of the date; columns left out of the file keep their values.
    header = ["學號", "姓名", "族語認證有效日期"]
    registry.post(START, {"file": upload("p.xlsx", xlsx([header, [a.student_number, a.name, "1161231"]]))})
    again = ImportBatch.objects.order_by("-pk").first()
    assert again is not None and again.errors == []
    registry.post(reverse("records:import_apply", kwargs={"kind": "profiles", "pk": again.pk}))
    a.refresh_from_db()
    assert (a.indigenous_language_valid_until, a.group_code) == (datetime.date(2027, 12, 31), "21")


def test_bad_roster_codes_are_row_errors_and_nothing_is_written(personas: Personas, registry: Client) -> None:
    a = personas.student
    b = StudentFactory.create(school_class=personas.school_class)
    good = [a.student_number, a.name, "21", "101", "1", "", "", "", "", "", "", "", "02"]
    bad = [b.student_number, b.name, "2-1", "1010101", "1", "1,甲", "", "", "x" * 21, "50", "115.02.30", "", "02"]
    batch, page = _import_roster(registry, [good, bad])
    assert "第 3 列，群別代碼欄：代碼最多 4 個數字或英文字母，不是「2-1」。" in page
    assert "第 3 列，科班學程別代碼欄：代碼最多 6 個數字或英文字母，不是「1010101」。" in page
    assert "第 3 列，特殊身分別欄：請填最多 4 個數字或英文字母的代碼，以逗號分隔" in page
    assert "第 3 列，族語認證報考方言欄：最多 20 個字。" in page
    assert "第 3 列，報考年度欄：報考年度為民國年，從 90 到" in page
    assert "第 3 列，族語認證有效日期欄：115.02 沒有 30 日。" in page
    registry.post(reverse("records:import_apply", kwargs={"kind": "profiles", "pk": batch.pk}))
    a.refresh_from_db()
    assert a.group_code == "" and a.admission_route == ""


def test_template_has_every_roster_column_and_an_example_row(personas: Personas, registry: Client) -> None:
    import io

    import openpyxl

    content = registry.get(reverse("records:import_template", kwargs={"kind": "profiles"})).content
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:5] == tuple(HEADER)
    assert rows[0][5:] == tuple(ROSTER_HEADER[2:])
    assert len(rows) == 1  # the sheet that is imported holds only the header
    notes = list(book.worksheets[1].iter_rows(values_only=True))  # 填寫說明: the example row under the header
    example = dict(zip(notes[1], notes[2], strict=True))
    assert (example["群別代碼"], example["族語認證有效日期"], example["報考年度"]) == ("21", "115.11.01", "113")


def test_the_import_is_linked_from_the_student_and_grade_lists(personas: Personas, registry: Client) -> None:
    for page in ("people:student_list", "records:grades"):
        assert START in registry.get(reverse(page)).content.decode()
