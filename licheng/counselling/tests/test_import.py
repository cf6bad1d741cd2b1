from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from licheng.counselling.models import CounsellingSession
from licheng.counselling.tests.conftest import Cast
from licheng.testing.clients import client_in
from licheng.testing.factories import StudentFactory

pytestmark = pytest.mark.django_db
HEADER = ["日期", "開始時間", "結束時間", "諮詢類型", "地點", "學號", "諮詢內容", "建議"]


def _xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(cast: Cast, content: bytes, name: str = "sessions.xlsx") -> tuple[Any, Any]:
    client = client_in("zh-hant", cast.counsellor)
    return client, client.post(reverse("counselling:import_start"), {"file": SimpleUploadedFile(name, content)})


def test_import_previews_applies_and_reimport_updates(cast: Cast) -> None:
    p = cast.p
    numbers = f"{p.student.student_number}、{cast.classmate.student_number}"
    content = _xlsx(
        [
            ["114.10.01", "10:00", "10:50", "個別", "輔導室", p.student.student_number, "討論選課", "多探索"],
            ["114.10.02", "", "", "", "教室", numbers, "團體說明", ""],
        ]
    )
    client, response = _upload(cast, content)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.context["can_apply"] and "討論選課" in preview.content.decode()
    assert not CounsellingSession.objects.exists()  # a preview writes nothing
    applied = client.post(reverse("counselling:import_apply", args=[preview.context["batch"].pk]))
    assert applied.status_code == 302
    assert CounsellingSession.objects.count() == 2
    group = CounsellingSession.objects.get(held_on__day=2)
    assert group.kind == "group" and group.participants.count() == 2

    changed = _xlsx([["114.10.01", "10:00", "11:00", "個別", "輔導室", p.student.student_number, "改過的內容", ""]])
    client, response = _upload(cast, changed)
    client.post(reverse("counselling:import_apply", args=[client.get(response["Location"]).context["batch"].pk]))
    assert CounsellingSession.objects.count() == 2
    assert CounsellingSession.objects.get(held_on__day=1).content == "改過的內容"


def test_bad_rows_are_listed_per_row_and_column_and_nothing_is_written(cast: Cast) -> None:
    foreign = StudentFactory.create(school_class__school=cast.p.other_school, student_number="999888")
    content = _xlsx(
        [
            ["114.02.30", "", "", "", "", cast.p.student.student_number, "內容", ""],  # impossible date
            ["114.10.01", "", "", "", "", "000000", "內容", ""],  # unknown student
            ["114.10.01", "", "", "", "", foreign.student_number, "內容", ""],  # another school's student
            ["114.10.01", "", "", "", "", cast.p.student.student_number, "=HYPERLINK(1)", ""],  # formula
            ["114.10.01", "", "", "", "", cast.other_class_student.student_number, "內容", ""],  # not my class
        ]
    )
    client, response = _upload(cast, content)
    preview = client.get(response["Location"])
    errors = {(e["line"], e["column"]) for e in preview.context["batch"].errors}
    assert errors == {
        (2, "held_on"),
        (3, "student_numbers"),
        (4, "student_numbers"),
        (5, "content"),
        (6, "student_numbers"),
    }
    text = preview.content.decode()
    assert "沒有 30 日" in text and "本校沒有學號 000000 的學生" in text and "公式" in text
    assert not preview.context["can_apply"]
    client.post(reverse("counselling:import_apply", args=[preview.context["batch"].pk]))
    assert not CounsellingSession.objects.exists()


def test_csv_import_and_unreadable_files(cast: Cast) -> None:
    csv = ",".join(HEADER) + f"\n114.10.01,,,,,{cast.p.student.student_number},CSV 內容,\n"
    client, response = _upload(cast, csv.encode("utf-8-sig"), "s.csv")
    client.post(reverse("counselling:import_apply", args=[client.get(response["Location"]).context["batch"].pk]))
    assert CounsellingSession.objects.get().content == "CSV 內容"
    _client, refused = _upload(cast, b"not a workbook", "s.xlsx")
    assert refused.status_code == 400 and "Excel" in refused.context["error"]


def test_only_recorders_import_and_a_preview_is_its_uploaders(cast: Cast) -> None:
    assert client_in("zh-hant", cast.p.homeroom_teacher).get(reverse("counselling:import_start")).status_code == 403
    _client, response = _upload(cast, _xlsx([["114.10.01", "", "", "", "", cast.p.student.student_number, "x", ""]]))
    assert client_in("zh-hant", cast.guidance).get(response["Location"]).status_code == 404
