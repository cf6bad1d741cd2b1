"""Cadre roles (幹部經歷), attendance (出缺勤), rewards and penalties (獎懲): import with preview,
row errors, all-or-nothing, re-import updates; forms; verification; lists; who sees what; API."""

from __future__ import annotations

import datetime
import io
import json

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from licheng.records.models import AttendanceRecord, CadreRole, ImportBatch, RewardPenalty
from licheng.records.tests.conftest import csv_bytes, upload, xlsx
from licheng.testing.clients import client_in
from licheng.testing.factories import SchoolClassFactory, StudentFactory, make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db

CADRE_HEADER = ["學號", "學年期", "單位名稱", "開始日期", "結束日期", "擔任職務", "幹部等級"]
ATTENDANCE_HEADER = ["學號", "學年期", "假別", "節數"]
REWARD_HEADER = ["學號", "學年期", "獎懲類別", "次數", "事由", "核定日期"]


@pytest.fixture
def activities(personas: Personas) -> Client:
    return client_in("zh-hant", make_staff(personas.school, "activities", username="activities", name="訓育組長"))


@pytest.fixture
def discipline(personas: Personas) -> Client:
    return client_in("zh-hant", make_staff(personas.school, "discipline", username="discipline", name="生輔組長"))


def cadre_row(number: str, **over: object) -> list[object]:
    row: dict[str, object] = {"number": number, "term": "114-1", "unit": "101班", "start": "114.08.30"}
    row["end"] = "115.01.20"
    row.update({"post": "班長", "level": 2})
    row.update(over)
    return list(row.values())


def _check(client: Client, kind: str, name: str, content: bytes) -> tuple[ImportBatch | None, str]:
    url = reverse("records:import_start", kwargs={"kind": kind})
    response = client.post(url, {"file": upload(name, content)}, follow=True)
    assert response.status_code == 200
    return ImportBatch.objects.filter(record_type=kind).order_by("-pk").first(), response.content.decode()


def _apply(client: Client, batch: ImportBatch) -> str:
    url = reverse("records:import_apply", kwargs={"kind": batch.record_type, "pk": batch.pk})
    return client.post(url, follow=True).content.decode()


# --- imports -------------------------------------------------------------------------------------


def test_cadre_import_previews_then_writes_and_reimport_updates(personas: Personas, activities: Client) -> None:
    number = personas.student.student_number
    content = xlsx([CADRE_HEADER, cadre_row(number), cadre_row(number, unit="熱音社", post="社長", level="社團")])
    batch, _page = _check(activities, "cadre_roles", "cadre.xlsx", content)
    assert batch is not None and batch.error_count == 0, batch and batch.errors
    assert not CadreRole.objects.exists()  # the preview writes nothing
    assert "新增 2 筆" in _apply(activities, batch)
    role = CadreRole.objects.get(post="社長")
    assert (role.level, role.starts_on, role.verified_at) == (3, datetime.date(2025, 8, 30), None)
    # Verified, then the same file with a changed end date: one update, verification cleared.
    CadreRole.objects.update(verified_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    content = csv_bytes(
        [CADRE_HEADER, cadre_row(number, end="115.01.10"), cadre_row(number, unit="熱音社", post="社長", level=3)]
    )
    batch, _page = _check(activities, "cadre_roles", "cadre.csv", content)
    assert batch is not None and batch.error_count == 0
    _apply(activities, batch)
    batch.refresh_from_db()
    assert batch.summary == {"created": 0, "updated": 1, "unchanged": 1}
    assert CadreRole.objects.count() == 2
    # The import's audit entry names the changed role with its fields before and after.
    from licheng.audit.models import AuditRowChange

    changed = CadreRole.objects.get(post="班長")
    row = AuditRowChange.objects.get(entry__action="records.import_applied", entry__object_id=str(batch.pk))
    assert (row.object_type, row.object_id) == ("records.cadrerole", str(changed.pk))
    assert row.changes["ends_on"] == ["2026-01-20", "2026-01-10"]
    assert row.changes["verified_at"][1] is None
    assert CadreRole.objects.get(post="班長").verified_at is None
    assert CadreRole.objects.get(post="社長").verified_at is not None


@pytest.mark.parametrize(
    ("over", "column", "message"),
    [
        ({"number": "9999999"}, "學號", "本校沒有學號 9999999 的學生"),
        ({"start": "114.02.30"}, "開始日期", ""),
        ({"end": "114.08.01"}, "結束日期", "結束日期早於開始日期"),
        ({"level": 7}, "幹部等級", "不是下列之一"),
        ({"term": "114-3"}, "學年期", "不是學期"),
        ({"post": "=HYPERLINK(1)"}, "擔任職務", "看起來像試算表公式"),
        ({"unit": ""}, "單位名稱", "不可空白"),
    ],
)
def test_cadre_bad_cells_are_named_by_row_and_column(
    personas: Personas, activities: Client, over: dict[str, object], column: str, message: str
) -> None:
    content = xlsx(
        [
            CADRE_HEADER,
            cadre_row(personas.student.student_number),
            cadre_row(**{"number": personas.student.student_number, "post": "副班長", **over}),  # type: ignore[arg-type]
        ]
    )
    batch, page = _check(activities, "cadre_roles", "cadre.xlsx", content)
    assert batch is not None and batch.error_count >= 1
    assert f"第 3 列，{column}欄" in page
    assert message in page
    _apply(activities, batch)
    assert not CadreRole.objects.exists()  # one bad row: nothing written


def test_duplicates_missing_columns_and_bad_files(personas: Personas, activities: Client, discipline: Client) -> None:
    number = personas.student.student_number
    batch, page = _check(
        activities, "cadre_roles", "c.xlsx", xlsx([CADRE_HEADER, cadre_row(number), cadre_row(number)])
    )
    assert batch is not None and batch.error_count == 2
    assert "與第 3 列" in page
    _batch, page = _check(activities, "cadre_roles", "c.xlsx", xlsx([CADRE_HEADER[:-1], cadre_row(number)[:-1]]))
    assert "缺少欄位：幹部等級" in page, page.split("<main")[1][:3000]
    assert ImportBatch.objects.filter(record_type="cadre_roles").count() == 1
    _none, page = _check(discipline, "attendance", "a.xlsx", b"name,periods\n1,2\n")
    assert "這個檔案不是真正的 Excel" in page
    assert ImportBatch.objects.filter(record_type="attendance").count() == 0
    _none, page = _check(discipline, "rewards_penalties", "r.csv", b"PK\x03\x04 not really")
    assert ImportBatch.objects.filter(record_type="rewards_penalties").count() == 0
    assert not CadreRole.objects.exists()


def test_attendance_and_rewards_import_and_reimport(personas: Personas, discipline: Client) -> None:
    number = personas.student.student_number
    content = xlsx([ATTENDANCE_HEADER, [number, "114-1", "病假", 3], [number, "114-1", "曠課", 2]])
    batch, _page = _check(discipline, "attendance", "a.xlsx", content)
    assert batch is not None and batch.error_count == 0
    _apply(discipline, batch)
    content = xlsx([ATTENDANCE_HEADER, [number, "114-1", "病假", 5], [number, "114-1", "曠課", 2]])
    batch, _page = _check(discipline, "attendance", "a.xlsx", content)
    assert batch is not None
    _apply(discipline, batch)
    assert AttendanceRecord.objects.count() == 2
    assert AttendanceRecord.objects.get(kind="sick").periods == 5

    rows: list[list[object]] = [
        REWARD_HEADER,  # type: ignore[list-item]
        [number, "114-1", "嘉獎", 2, "擔任志工", "114.10.01"],
        [number, "114-1", "小過", 1, "遲到", "114.11.01"],
    ]
    batch, _page = _check(discipline, "rewards_penalties", "r.csv", csv_bytes(rows))
    assert batch is not None and batch.error_count == 0
    _apply(discipline, batch)
    batch, _page = _check(discipline, "rewards_penalties", "r.csv", csv_bytes(rows))
    assert batch is not None
    _apply(discipline, batch)
    batch.refresh_from_db()
    assert batch.summary == {"created": 0, "updated": 0, "unchanged": 2}
    assert RewardPenalty.objects.count() == 2

    bad: list[list[object]] = [
        REWARD_HEADER,  # type: ignore[list-item]
        [number, "114-1", "記功", 0, "x", "114.13.01"],
    ]
    batch, page = _check(discipline, "rewards_penalties", "r.xlsx", xlsx(bad))
    assert batch is not None and batch.error_count == 3
    assert "第 2 列，獎懲類別欄" in page and "第 2 列，次數欄" in page and "第 2 列，核定日期欄" in page


def test_import_refused_without_permission(personas: Personas, activities: Client, discipline: Client) -> None:
    assert activities.get(reverse("records:import_start", kwargs={"kind": "attendance"})).status_code == 403
    assert discipline.get(reverse("records:import_start", kwargs={"kind": "cadre_roles"})).status_code == 403


# --- forms, verification, lists, export -------------------------------------------------------------


def _cadre_form(number: str, **over: str) -> dict[str, str]:
    data = {"student_number": number, "term": "114-1", "unit": "學生會", "post": "會長", "level": "1"}
    data.update({"starts_on": "114.08.01", "ends_on": "115.01.31"})
    data.update(over)
    return data


def test_cadre_form_verify_and_change_clears_verification(personas: Personas, activities: Client) -> None:
    number = personas.student.student_number
    page = activities.post(
        reverse("records:cadre_role_create"), _cadre_form(number, ends_on="114.07.01")
    ).content.decode()
    assert "結束日期早於開始日期" in page and not CadreRole.objects.exists()
    assert activities.post(reverse("records:cadre_role_create"), _cadre_form(number)).status_code == 302
    page = activities.post(reverse("records:cadre_role_create"), _cadre_form(number)).content.decode()
    assert "這位學生在該學期已有相同的紀錄" in page and CadreRole.objects.count() == 1
    other = StudentFactory.create(school_class=personas.school_class)
    activities.post(reverse("records:cadre_role_create"), _cadre_form(other.student_number, term="114-2"))
    # Without a filter the page says the button touches every unverified role of the school.
    page = activities.get(reverse("records:cadre_roles")).content.decode()
    assert "未設定任何篩選：這會認證全校所有未認證的幹部紀錄，共 2 筆。" in page
    assert "認證列出的 2 筆未認證紀錄" in page and 'name="expected" value="2"' in page
    page = activities.get(reverse("records:cadre_roles"), {"term": "114-1"}).content.decode()
    assert "未設定任何篩選" not in page and "認證列出的 1 筆未認證紀錄" in page
    # A count that no longer holds verifies nothing.
    response = activities.post(reverse("records:cadre_roles_verify"), {"term": "114-1", "expected": "2"}, follow=True)
    assert "目前符合條件的幹部紀錄有 1 筆，不是頁面顯示的 2 筆" in response.content.decode()
    assert not CadreRole.objects.filter(verified_at__isnull=False).exists()
    # "Verify all shown" with the 114-1 filter verifies only that term's role.
    activities.post(reverse("records:cadre_roles_verify"), {"term": "114-1", "expected": "1"})
    role = CadreRole.objects.get(student=personas.student)
    assert role.verified_at is not None and role.verified_by is not None
    assert CadreRole.objects.get(student=other).verified_at is None
    # Saving without a change keeps the verification; a change clears it.
    edit = reverse("records:cadre_role_edit", kwargs={"pk": role.pk})
    activities.post(edit, _cadre_form(number))
    role.refresh_from_db()
    assert role.verified_at is not None
    activities.post(edit, _cadre_form(number, post="副會長"))
    role.refresh_from_db()
    assert role.verified_at is None and role.post == "副會長"
    activities.post(reverse("records:cadre_role_delete", kwargs={"pk": role.pk}))
    assert not CadreRole.objects.filter(pk=role.pk).exists()


def test_discipline_forms(personas: Personas, discipline: Client) -> None:
    number = personas.student.student_number
    data = {"student_number": number, "term": "114-1", "kind": "late", "periods": "4"}
    assert discipline.post(reverse("records:attendance_create"), data).status_code == 302
    data = {
        "student_number": number,
        "term": "114-1",
        "kind": "warning",
        "count": "1",
        "reason": "服儀",
        "decided_on": "114.99.01",
    }
    page = discipline.post(reverse("records:reward_penalty_create"), data).content.decode()
    assert not RewardPenalty.objects.exists() and 'class="error"' in page
    data["decided_on"] = "114.10.01"
    assert discipline.post(reverse("records:reward_penalty_create"), data).status_code == 302
    assert RewardPenalty.objects.get().decided_on == datetime.date(2025, 10, 1)


def _make_cadre_roles(personas: Personas, count: int) -> None:
    students = [StudentFactory.create(school_class=personas.school_class) for _ in range(count)]
    CadreRole.objects.bulk_create(
        CadreRole(
            school=personas.school,
            student=s,
            academic_year=114,
            term=1,
            unit="101班",
            post="班長",
            level=2,
            starts_on=datetime.date(2025, 9, 1),
            ends_on=datetime.date(2026, 1, 20),
        )
        for s in students
    )


def test_list_queries_stay_constant_and_export(
    personas: Personas, activities: Client, django_assert_max_num_queries: object
) -> None:
    _make_cadre_roles(personas, 3)
    url = reverse("records:cadre_roles")
    activities.get(url)
    _make_cadre_roles(personas, 9 * 3)
    # session, user with school, roles, permissions, delegated proxies, menu, may-manage (selector),
    # classes for the filter, count, one page of roles with student and class joined
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        response = activities.get(url, {"term": "114-1", "choice": "2", "verified": "no"})
    assert response.content.decode().count("<tr>") == 30 + 1
    CadreRole.objects.filter(pk=CadreRole.objects.first().pk).update(post="=cmd|' /C calc'!A0")  # type: ignore[union-attr]
    sheet = openpyxl.load_workbook(io.BytesIO(activities.get(reverse("records:cadre_role_export")).content)).active
    rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0] == tuple(CADRE_HEADER) and len(rows) == 31
    assert any(row[5] == "'=cmd|' /C calc'!A0" for row in rows)


def test_export_reimports_unchanged(personas: Personas, discipline: Client) -> None:
    RewardPenalty.objects.create(
        school=personas.school,
        student=personas.student,
        academic_year=114,
        term=1,
        kind="commendation",
        count=2,
        reason="志工",
        decided_on=datetime.date(2025, 10, 1),
    )
    content = discipline.get(reverse("records:reward_penalty_export")).content
    batch, _page = _check(discipline, "rewards_penalties", "e.xlsx", content)
    assert batch is not None and batch.errors == []
    _apply(discipline, batch)
    batch.refresh_from_db()
    assert batch.summary == {"created": 0, "updated": 0, "unchanged": 1}


# --- who sees what -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("student", 200),
        ("parent", 200),
        ("homeroom_teacher", 200),
        ("subject_teacher", 404),
        ("other_teacher", 404),
        ("outsider", 404),
    ],
)
def test_student_records_visibility(personas: Personas, persona: str, status: int) -> None:
    _make_cadre_roles(personas, 0)
    CadreRole.objects.create(
        school=personas.school,
        student=personas.student,
        academic_year=114,
        term=1,
        unit="學生會",
        post="會長",
        level=1,
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 1, 20),
    )
    AttendanceRecord.objects.create(
        school=personas.school, student=personas.student, academic_year=114, term=1, kind="sick", periods=3
    )
    client = client_in("zh-hant", personas.by_name()[persona])
    response = client.get(reverse("records:student_records", kwargs={"pk": personas.student.pk}))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "會長" in page and "病假" in page and "114.09.01" in page


def test_student_cannot_see_another_students_records(personas: Personas) -> None:
    other = StudentFactory.create(school_class=SchoolClassFactory.create(school=personas.school, name="102"))
    client = client_in("zh-hant", personas.student_user)
    assert client.get(reverse("records:student_records", kwargs={"pk": other.pk})).status_code == 404
    response = client.get(reverse("records:my_records"))
    assert response["Location"] == reverse("records:student_records", kwargs={"pk": personas.student.pk})


def test_lists_need_the_sections_permission(personas: Personas, activities: Client, discipline: Client) -> None:
    assert activities.get(reverse("records:attendance")).status_code == 403
    assert discipline.get(reverse("records:cadre_roles")).status_code == 403
    homeroom = client_in("zh-hant", personas.homeroom_teacher)
    assert homeroom.get(reverse("records:rewards_penalties")).status_code == 403


# --- API ---------------------------------------------------------------------------------------------------


def test_api_create_and_list(personas: Personas, activities: Client, discipline: Client) -> None:
    number = personas.student.student_number
    url = reverse("api-v1:records_cadre_roles")
    payload = {"student_number": number, "term": "114-1", "unit": "熱音社", "post": "社長", "level": 3}
    payload.update({"starts_on": "114.09.01", "ends_on": "2026-01-20"})
    response = activities.post(url, json.dumps(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["verified"] is False
    bad = {**payload, "post": "副社長", "ends_on": "114.08.01"}
    assert activities.post(url, json.dumps(bad), content_type="application/json").status_code == 422
    assert [row["post"] for row in activities.get(url, {"term": "114-1"}).json()] == ["社長"]
    assert discipline.get(url).status_code == 403

    url = reverse("api-v1:records_rewards_penalties")
    payload = {
        "student_number": number,
        "term": "114-1",
        "kind": "major_merit",
        "reason": "比賽",
        "decided_on": "114.12.01",
    }
    assert discipline.post(url, json.dumps(payload), content_type="application/json").status_code == 201
    assert discipline.get(url).json()[0]["kind"] == "major_merit"
    url = reverse("api-v1:records_attendance")
    payload = {"student_number": "nobody", "term": "114-1", "kind": "sick", "periods": 2}
    assert discipline.post(url, json.dumps(payload), content_type="application/json").status_code == 422
    assert not AttendanceRecord.objects.exists()


def test_student_records_page_queries_stay_constant(personas: Personas, django_assert_max_num_queries: object) -> None:
    def add(count: int, year: int) -> None:
        base = {"school": personas.school, "student": personas.student, "academic_year": year}
        CadreRole.objects.bulk_create(
            CadreRole(
                **base,
                term=1,
                unit=f"社團{i}",
                post="社長",
                level=3,
                starts_on=datetime.date(2025, 9, 1),
                ends_on=datetime.date(2026, 1, 20),
            )
            for i in range(count)
        )
        RewardPenalty.objects.bulk_create(
            RewardPenalty(**base, term=1, kind="commendation", reason=f"志工{i}", decided_on=datetime.date(2025, 10, 1))
            for i in range(count)
        )

    client = client_in("zh-hant", personas.homeroom_teacher)
    url = reverse("records:student_records", kwargs={"pk": personas.student.pk})
    add(2, 112)
    client.get(url)
    add(6, 113)
    # session, user with school, roles, permissions, delegated proxies, menu, may-manage (x2),
    # the student, their cadre roles, attendance, rewards and penalties
    with django_assert_max_num_queries(16):  # type: ignore[operator]
        page = client.get(url).content.decode()
    assert page.count("社長") == 8
