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
