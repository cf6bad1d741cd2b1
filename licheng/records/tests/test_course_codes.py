"""Importing the course-plan platform's TXT of course codes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from licheng.records.models import CourseCode
from licheng.records.tests.conftest import upload
from licheng.testing.clients import client_in
from licheng.testing.factories import make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db
IMPORT = reverse("records:course_code_import")
REGULAR = "114123456A1101010000000"
FLEXIBLE = "114123456A11010190D01A1"  # character 17 '9', character 19 'D'


@pytest.fixture
def curriculum(personas: Personas) -> Client:
    return client_in("zh-hant", make_staff(personas.school, "curriculum", username="curriculum"))


def test_import_with_every_separator_and_encoding(personas: Personas, curriculum: Client) -> None:
    text = (
        f"{REGULAR}\t444440\t國語文\n{FLEXIBLE},222220,彈性學習\n\n"
        "114123456A1101010000001 000002 自主學習\n114123456A1101010000002333333"
    )
    response = curriculum.post(IMPORT, {"file": upload("codes.txt", text.encode("cp950"))}, follow=True)
    assert "新增 4 筆" in response.content.decode()
    codes = {c.code: c for c in CourseCode.objects.all()}
    assert codes[REGULAR].subject_name == "國語文" and codes[REGULAR].entry_year == 114
    assert codes[FLEXIBLE].is_flexible_or_group and not codes[REGULAR].is_flexible_or_group
    assert codes["114123456A1101010000002"].credits_per_term == "333333"  # fixed width, no separator
    assert codes[REGULAR].metadata["school_code"] == "123456"
    # Re-import updates.
    curriculum.post(IMPORT, {"file": upload("codes.txt", f"{REGULAR}\t444444\t國文".encode())})
    assert CourseCode.objects.count() == 4
    assert CourseCode.objects.get(code=REGULAR).credits_per_term == "444444"


def test_bad_lines_are_listed_and_nothing_is_written(personas: Personas, curriculum: Client) -> None:
    text = f"{REGULAR}\t444440\n12345\t444440\n{REGULAR.lower()[:22]}!\t444440\n{FLEXIBLE}\t44\n{REGULAR}\t444440\n"
    page = curriculum.post(IMPORT, {"file": upload("codes.txt", text.encode())}).content.decode()
    assert "有 4 行錯誤，未匯入任何資料。" in page
    assert "第 2 行：課程代碼有 5 碼，應為 23 碼。" in page
    assert "第 3 行：課程代碼只能有數字及大寫英文字母。" in page
    assert "第 4 行：各學期學分數應為 6 位數字" in page
    assert "第 5 行：與第 1 行的課程代碼相同。" in page
    assert CourseCode.objects.count() == 0


def test_not_a_text_file(personas: Personas, curriculum: Client) -> None:
    page = curriculum.post(IMPORT, {"file": upload("codes.txt", b"PK\x03\x04zip")}).content.decode()
    assert "這不是課程代碼的文字（TXT）檔。" in page
    assert CourseCode.objects.count() == 0


def test_registry_may_list_but_not_import(personas: Personas, registry: Client) -> None:
    assert registry.get(reverse("records:course_codes")).status_code == 200
    assert registry.post(IMPORT, {"file": upload("codes.txt", b"x")}).status_code == 403


def test_list_queries_stay_constant(
    personas: Personas, curriculum: Client, django_assert_max_num_queries: object
) -> None:
    from django.utils import timezone

    def add(n: int, start: int) -> None:
        CourseCode.objects.bulk_create(
            CourseCode(
                school=personas.school,
                code=f"114123456A11010100{i:05d}",
                credits_per_term="444440",
                entry_year=114,
                imported_at=timezone.now(),
            )
            for i in range(start, start + n)
        )

    add(3, 0)
    curriculum.get(reverse("records:course_codes"))
    add(60, 100)
    # session, user, roles, permissions (+ delegated proxies), menu, count, page of codes, may-import check
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = curriculum.get(reverse("records:course_codes"))
    assert response.status_code == 200


def test_course_codes_export_as_xlsx(personas: Personas, registry: Client) -> None:
    import io

    import openpyxl
    from django.utils import timezone

    CourseCode.objects.create(
        school=personas.school,
        code="114123456A1101010000000",
        credits_per_term="444440",
        entry_year=114,
        subject_name="國文",
        imported_at=timezone.now(),
    )
    response = registry.get(reverse("records:course_code_export"))
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1] == ("114123456A1101010000000", "444440", 114, "國文", "0")
