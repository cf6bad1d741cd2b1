"""Importing the course-plan platform's TXT of course codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from licheng.records.models import CourseCode
from licheng.records.tests.conftest import upload
from licheng.testing.clients import client_in
from licheng.testing.factories import make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db
IMPORT = reverse("records:course_code_import")
REGULAR = "114111111A1101010000000"
FLEXIBLE = "114111111A11010190D01A1"  # character 17 '9', character 19 'D'


@pytest.fixture
def curriculum(personas: Personas) -> Client:
    return client_in("zh-hant", make_staff(personas.school, "curriculum", username="curriculum"))


def test_import_with_every_separator_and_encoding(personas: Personas, curriculum: Client) -> None:
    text = (
        f"{REGULAR}\t444440\t國語文\n{FLEXIBLE},222220,彈性學習\n\n"
        "114111111A1101010000001 000002 自主學習\n114111111A1101010000002333333"
    )
    response = curriculum.post(IMPORT, {"file": upload("codes.txt", text.encode("cp950"))}, follow=True)
    assert "新增 4 筆" in response.content.decode()
    codes = {c.code: c for c in CourseCode.objects.all()}
    assert codes[REGULAR].subject_name == "國語文" and codes[REGULAR].entry_year == 114
    assert codes[FLEXIBLE].is_flexible_or_group and not codes[REGULAR].is_flexible_or_group
    assert codes["114111111A1101010000002"].credits_per_term == "333333"  # fixed width, no separator
    assert codes[REGULAR].metadata["school_code"] == "111111"
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
    assert "第 4 行：各學期學分數應為 6 碼，每學期一碼" in page
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
                code=f"114111111A11010100{i:05d}",
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
        code="114111111A1101010000000",
        credits_per_term="444440",
        entry_year=114,
        subject_name="國文",
        imported_at=timezone.now(),
    )
    response = registry.get(reverse("records:course_code_export"))
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1] == ("114111111A1101010000000", "444440", 114, "國文", "0")


def test_platform_order_alternating_credits_and_parsed_parts(personas: Personas, curriculum: Client) -> None:
    from licheng.records.cells import total_credits

    text = (
        "114111111A1101010000003\t國語文\t444440\t部定必修\n"  # TAB: code, name, credits, more
        "114111111A1101010000004,音樂,AA0000\n"  # comma: code, name, credits (對開 A = 1 credit)
        "114111111A1101010000005,2B0D00,美術\n"  # comma, older order: code, credits, name
        "114111111A1101010000006   CD0000   生活科技\n"  # fixed width with spaces
    )
    page = curriculum.post(IMPORT, {"file": upload("codes.txt", text.encode("big5"))}, follow=True).content.decode()
    assert "新增 4 筆" in page
    codes = {c.code[-1]: c for c in CourseCode.objects.all()}
    assert (codes["3"].subject_name, codes["3"].credits_per_term) == ("國語文", "444440")
    assert codes["3"].metadata["extra"] == ["部定必修"]
    assert (codes["4"].subject_name, codes["4"].credits_per_term) == ("音樂", "AA0000")
    assert (codes["5"].subject_name, codes["5"].credits_per_term) == ("美術", "2B0D00")
    assert (codes["6"].subject_name, codes["6"].credits_per_term) == ("生活科技", "CD0000")
    assert total_credits("AA0000") == 2 and total_credits("2B0D00") == 8 and total_credits("CD0000") == 7
    assert {k: v for k, v in codes["3"].metadata.items() if k != "extra"} == {
        "entry_year": "114",
        "school_code": "111111",
        "course_type": "A",
        "group": "11",
        "department": "010",
        "class_group": "1",
        "course_category": "0",
        "delivery": "0",
        "subject_attribute": "0",
        "domain": "00",
        "fixed_subject_number": "03",
    }


def test_another_schools_code_bad_length_and_bad_credits_change_nothing(personas: Personas, curriculum: Client) -> None:
    CourseCode.objects.create(
        school=personas.school, code=REGULAR, credits_per_term="444440", entry_year=114, imported_at=timezone.now()
    )
    text = (
        "114111111A1101010000003\t國語文\t444440\n"
        "114999999A1101010000003\t國語文\t444440\n"
        "114111111A110101000000\t國語文\t444440\n"
        "114111111A1101010000008,體育,22E000\n"
    )
    page = curriculum.post(IMPORT, {"file": upload("codes.txt", text.encode())}).content.decode()
    assert "有 3 行錯誤，未匯入任何資料。" in page
    assert "第 2 行：課程代碼 114999999A1101010000003 屬於學校代碼 999999，不是本校（111111）的課程代碼。" in page
    assert "第 3 行：課程代碼有 22 碼，應為 23 碼。" in page
    assert "第 4 行：各學期學分數應為 6 碼，每學期一碼：數字，或對開課程的 A–D（1–4 學分）" in page
    assert "不是「22E000」" in page
    assert list(CourseCode.objects.values_list("code", flat=True)) == [REGULAR]


def test_course_form_takes_alternating_credits(personas: Personas) -> None:
    from licheng.audit.services import Actor
    from licheng.core.errors import ServiceError
    from licheng.courses import services as course_services
    from licheng.courses.models import Course

    course = Course.objects.filter(school=personas.school).first()
    assert course is not None
    actor = Actor(user=personas.school_admin)
    same: dict[str, Any] = {"course_code": course.course_code, "subject_name": course.subject_name}
    same.update(credits=course.credits, school_class=course.school_class, group_name=course.group_name)
    course_services.course_update(actor=actor, course=course, credits_per_term="ab0000", **same)
    course.refresh_from_db()
    assert course.credits_per_term == "AB0000"
    with pytest.raises(ServiceError, match="A–D"):
        course_services.course_update(actor=actor, course=course, credits_per_term="E00000", **same)


def test_utf8_with_bom_and_comma_lines_in_the_platform_order(personas: Personas, curriculum: Client) -> None:
    text = "\ufeff114111111A1101010000003,國語文,444440,部定必修\r\n114111111A11010190D01A1,彈性學習,222220\r\n"
    page = curriculum.post(IMPORT, {"file": upload("codes.txt", text.encode("utf-8"))}, follow=True).content.decode()
    assert "新增 2 筆" in page
    codes = {c.code: c for c in CourseCode.objects.all()}
    assert codes["114111111A1101010000003"].subject_name == "國語文"
    assert codes[FLEXIBLE].credits_per_term == "222220" and codes[FLEXIBLE].is_flexible_or_group
