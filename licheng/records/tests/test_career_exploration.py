"""Career exploration (學群/類群探索與就業規劃): import with row errors, form, list, export, API and
who sees it on the student's records page."""

from __future__ import annotations

import datetime
import decimal
import io
import json

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from licheng.records.models import CareerExploration, ImportBatch
from licheng.records.tests.conftest import csv_bytes, upload, xlsx
from licheng.testing.clients import client_in
from licheng.testing.factories import make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db

HEADER = ["學號", "學年期", "活動名稱", "學群類群", "時數", "日期"]


@pytest.fixture
def guidance(personas: Personas) -> Client:
    return client_in("zh-hant", make_staff(personas.school, "guidance", username="guidance", name="輔導主任"))


def row(number: str, **over: object) -> list[object]:
    values: dict[str, object] = {"number": number, "term": "114-1", "title": "大學參訪", "group": "資訊學群"}
    values.update({"hours": "2.5", "date": "114.10.01"})
    values.update(over)
    return list(values.values())


def _check(client: Client, name: str, content: bytes) -> tuple[ImportBatch | None, str]:
    url = reverse("records:import_start", kwargs={"kind": "career_exploration"})
    response = client.post(url, {"file": upload(name, content)}, follow=True)
    assert response.status_code == 200
    return ImportBatch.objects.filter(record_type="career_exploration").order_by(
        "-pk"
    ).first(), response.content.decode()


def _apply(client: Client, batch: ImportBatch) -> str:
    url = reverse("records:import_apply", kwargs={"kind": batch.record_type, "pk": batch.pk})
    return client.post(url, follow=True).content.decode()


def _make(personas: Personas, count: int) -> None:
    CareerExploration.objects.bulk_create(
        CareerExploration(
            school=personas.school,
            student=personas.student,
            academic_year=114,
            term=1,
            activity_title=f"職場參訪{CareerExploration.objects.count()}-{i}",
            group_area="工程學群",
            held_on=datetime.date(2025, 10, 1),
        )
        for i in range(count)
    )


def test_import_previews_then_writes_and_reimport_updates(personas: Personas, guidance: Client) -> None:
    number = personas.student.student_number
    batch, _page = _check(guidance, "c.xlsx", xlsx([HEADER, row(number), row(number, title="職涯講座", hours="")]))
    assert batch is not None and batch.error_count == 0, batch and batch.errors
    assert not CareerExploration.objects.exists()
    assert "新增 2 筆" in _apply(guidance, batch)
    visit = CareerExploration.objects.get(activity_title="大學參訪")
    assert (visit.hours, visit.held_on, visit.group_area) == (
        decimal.Decimal("2.5"),
        datetime.date(2025, 10, 1),
        "資訊學群",
    )
    batch, _page = _check(guidance, "c.csv", csv_bytes([HEADER, row(number, hours="3")]))
    assert batch is not None and batch.error_count == 0
    _apply(guidance, batch)
    batch.refresh_from_db()
    assert batch.summary == {"created": 0, "updated": 1, "unchanged": 0}
    assert CareerExploration.objects.get(activity_title="大學參訪").hours == decimal.Decimal("3.0")


@pytest.mark.parametrize(
    ("over", "column", "message"),
    [
        ({"number": "9999999"}, "學號", "本校沒有學號 9999999 的學生"),
        ({"date": "114.02.30"}, "日期", ""),
        ({"title": "=HYPERLINK(1)"}, "活動名稱", "看起來像試算表公式"),
        ({"hours": "abc"}, "時數", "abc"),
        ({"title": ""}, "活動名稱", "不可空白"),
    ],
)
def test_bad_cells_are_named_and_nothing_is_written(
    personas: Personas, guidance: Client, over: dict[str, object], column: str, message: str
) -> None:
    number = personas.student.student_number
    content = xlsx([HEADER, row(number), row(**{"number": number, "title": "講座", **over})])  # type: ignore[arg-type]
    batch, page = _check(guidance, "c.xlsx", content)
    assert batch is not None and batch.error_count >= 1
    assert f"第 3 列，{column}欄" in page
    assert message in page
    _apply(guidance, batch)
    assert not CareerExploration.objects.exists()


def test_form_list_and_export(personas: Personas, guidance: Client, django_assert_max_num_queries: object) -> None:
    url = reverse("records:career_exploration_create")
    data = {"student_number": personas.student.student_number, "term": "114-1", "activity_title": "模擬面試"}
    response = guidance.post(url, {**data, "held_on": "114.13.01"})
    assert response.status_code == 200 and not CareerExploration.objects.exists()
    response = guidance.post(url, {**data, "student_number": "nobody", "held_on": "114.11.01"})
    assert "本校沒有學號 nobody 的學生" in response.content.decode()
    response = guidance.post(url, {**data, "held_on": "114.11.01", "group_area": "管理學群", "hours": "1.5"})
    assert response.status_code == 302
    entry = CareerExploration.objects.get()
    assert entry.entered_by is not None and entry.held_on == datetime.date(2025, 11, 1)

    _make(personas, 3)
    list_url = reverse("records:career_exploration")
    guidance.get(list_url)
    _make(personas, 3 * 9)
    # session, user with school, roles, permissions, delegated proxies, menu, may-manage (selector),
    # classes for the filter, count, one page of rows with student and class joined
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        response = guidance.get(list_url, {"term": "114-1", "q": personas.student.student_number})
    page = response.content.decode()
    assert page.count("<tr>") == 31 + 1  # the header and every row
    # Career exploration has no kinds to filter by: no stray 獎懲類別 filter.
    assert "獎懲類別" not in page and 'name="choice"' not in page
    assert '<span class="filter"><label for="id_term">' in page  # each label sits with its input
    sheet = openpyxl.load_workbook(io.BytesIO(guidance.get(reverse("records:career_exploration_export")).content))
    rows = list(sheet.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0] == tuple(HEADER) and len(rows) == 32


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("student", 200),
        ("parent", 200),
        ("homeroom_teacher", 200),
        ("subject_teacher", 404),
        ("outsider", 404),
    ],
)
def test_student_records_page_shows_career_exploration(personas: Personas, persona: str, status: int) -> None:
    _make(personas, 1)
    client = client_in("zh-hant", personas.by_name()[persona])
    response = client.get(reverse("records:student_records", kwargs={"pk": personas.student.pk}))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "職場參訪" in page and "工程學群" in page and "114.10.01" in page


def test_list_needs_permission_and_api(personas: Personas, guidance: Client) -> None:
    homeroom = client_in("zh-hant", personas.homeroom_teacher)
    assert homeroom.get(reverse("records:career_exploration")).status_code == 403
    url = reverse("api-v1:records_career_exploration")
    payload = {"student_number": personas.student.student_number, "term": "114-1", "activity_title": "職涯講座"}
    payload.update({"group_area": "醫藥衛生學群", "hours": "2", "held_on": "2025-10-20"})
    response = guidance.post(url, json.dumps(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    bad = {**payload, "activity_title": "另一場", "held_on": "114.02.30"}
    assert guidance.post(url, json.dumps(bad), content_type="application/json").status_code == 422
    assert [r["activity_title"] for r in guidance.get(url).json()] == ["職涯講座"]
    assert homeroom.get(url).status_code == 403
    assert CareerExploration.objects.count() == 1
