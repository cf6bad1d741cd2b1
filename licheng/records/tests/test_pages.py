"""Grade pages: list and its query count, entry form, export, transcript and who sees it."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from licheng.records.models import Grade
from licheng.records.tests.conftest import CODE
from licheng.testing.clients import client_in
from licheng.testing.factories import StudentFactory
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def make_grades(personas: Personas, count: int, **fields: object) -> list[Grade]:
    students = [StudentFactory.create(school_class=personas.school_class) for _ in range(count)]
    defaults: dict[str, object] = {
        "academic_year": 114,
        "term": 1,
        "course_code": CODE,
        "subject_name": "國文",
        "grade_level": 10,
        "credits": 4,
        "score": Decimal(80),
        "passed": True,
    }
    defaults.update(fields)
    return Grade.objects.bulk_create(Grade(school=personas.school, student=s, **defaults) for s in students)


def test_list_queries_stay_constant(
    personas: Personas, registry: Client, django_assert_max_num_queries: object
) -> None:
    make_grades(personas, 2)
    url = reverse("records:grades")
    registry.get(url)
    make_grades(personas, 40)
    # session, user with school, roles, permissions, delegated proxies, menu, may-manage,
    # classes for the filter, count, one page of grades with student and class joined
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        response = registry.get(url, {"term": "114-1", "code": CODE[:5]})
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 42 + 1


def test_filters(personas: Personas, registry: Client) -> None:
    make_grades(personas, 1)
    make_grades(personas, 1, term=2, subject_name="數學")
    page = registry.get(reverse("records:grades"), {"term": "114-2"}).content.decode()
    assert "數學" in page and "國文" not in page.split("<tbody>")[1]


def test_export_neutralises_formulas(personas: Personas, registry: Client) -> None:
    make_grades(personas, 1, subject_name='=HYPERLINK("x")', qualitative_description="+cmd|' /C calc'!A0")
    response = registry.get(reverse("records:grade_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("學號", "身分證號", "學年期")
    assert rows[1][4] == '\'=HYPERLINK("x")'
    assert rows[1][12] == "'+cmd|' /C calc'!A0"
    assert rows[1][9] == -1  # no make-up exam


def test_export_reimports_as_the_same_rows(personas: Personas, registry: Client) -> None:
    from licheng.records.models import ImportBatch
    from licheng.records.tests.conftest import upload

    make_grades(personas, 2)
    content = registry.get(reverse("records:grade_export")).content
    registry.post(reverse("records:import_start", kwargs={"kind": "grades"}), {"file": upload("e.xlsx", content)})
    batch = ImportBatch.objects.get()
    assert batch.errors == []
    registry.post(reverse("records:import_apply", kwargs={"kind": "grades", "pk": batch.pk}))
    batch.refresh_from_db()
    assert batch.summary == {"created": 0, "updated": 0, "unchanged": 2}


def test_entry_form_creates_then_refuses_a_duplicate(personas: Personas, registry: Client) -> None:
    data = {
        "student_number": personas.student.student_number,
        "term": "114-1",
        "variant": "retake",
        "course_code": CODE,
        "subject_name": "國文",
        "grade_level": 10,
        "credits": 4,
        "score": "55",
        "passed": "false",
        "original_term": "113-1",
        "original_course_code": CODE.lower(),
    }
    response = registry.post(reverse("records:grade_create"), data)
    assert response.status_code == 302
    grade = Grade.objects.get()
    assert (grade.variant, grade.original_academic_year, grade.original_course_code) == ("retake", 113, CODE)
    assert grade.passed is False
    page = registry.post(reverse("records:grade_create"), data).content.decode()
    assert "已有相同課程代碼及修課類別的成績" in page
    assert Grade.objects.count() == 1
    page = registry.post(reverse("records:grade_create"), {**data, "original_term": ""}).content.decode()
    assert "這個修課類別必須填寫此欄。" in page


def test_entry_form_unknown_code(personas: Personas, registry: Client) -> None:
    data = {
        "student_number": personas.student.student_number,
        "term": "114-1",
        "variant": "regular",
        "course_code": "114123456A1101010000009",
        "subject_name": "國文",
        "grade_level": 10,
        "credits": 4,
    }
    page = registry.post(reverse("records:grade_create"), data).content.decode()
    assert "不在本校的課程代碼中" in page
    assert not Grade.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("student", 200),
        ("parent", 200),
        ("homeroom_teacher", 200),
        ("registry", 200),
        ("subject_teacher", 404),
        ("other_teacher", 404),
        ("outsider", 404),
    ],
)
def test_transcript_visibility(personas: Personas, persona: str, status: int) -> None:
    Grade.objects.create(
        school=personas.school,
        student=personas.student,
        academic_year=114,
        term=1,
        course_code=CODE,
        subject_name="國文",
        grade_level=10,
        credits=4,
        score=Decimal(50),
        passed=False,
        makeup_score=Decimal(70),
        makeup_passed=True,
    )
    Grade.objects.create(
        school=personas.school,
        student=personas.student,
        academic_year=114,
        term=2,
        course_code=CODE,
        subject_name="國文",
        grade_level=10,
        credits=4,
        score=Decimal(40),
        passed=False,
    )
    client = client_in("zh-hant", personas.by_name()[persona])
    response = client.get(reverse("records:transcript", kwargs={"pk": personas.student.pk}))
    assert response.status_code == status
    if status == 200:
        assert "已取得學分：4／8" in response.content.decode()


def test_my_transcript_redirects_the_student(personas: Personas) -> None:
    client = client_in("zh-hant", personas.student_user)
    response = client.get(reverse("records:my_transcript"))
    assert response["Location"] == reverse("records:transcript", kwargs={"pk": personas.student.pk})


def test_transcript_and_import_pages_queries_stay_constant(
    personas: Personas, registry: Client, django_assert_max_num_queries: object
) -> None:
    from licheng.records.models import ImportBatch

    def add(count: int, year: int) -> None:
        Grade.objects.bulk_create(
            Grade(
                school=personas.school,
                student=personas.student,
                academic_year=year,
                term=1 + i % 2,
                course_code=f"{CODE[:-4]}{i:04d}",
                subject_name="國文",
                grade_level=10,
                credits=2,
            )
            for i in range(count)
        )
        ImportBatch.objects.bulk_create(
            ImportBatch(
                school=personas.school,
                record_type="grades",
                file_name="g.xlsx",
                sha256="0",
                created_by=personas.registry,
            )
            for _ in range(count)
        )

    transcript = reverse("records:transcript", kwargs={"pk": personas.student.pk})
    imports = reverse("records:import_start", kwargs={"kind": "grades"})
    add(2, 112)
    registry.get(transcript)
    registry.get(imports)
    add(30, 113)
    # session, user with school, roles, permissions, delegated proxies, menu, the student, their grades
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert "國文" in registry.get(transcript).content.decode()
    # session, user with school, roles, permissions, delegated proxies, menu, the 20 latest files
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert registry.get(imports).status_code == 200


def test_entry_form_holds_the_national_grade_fields(personas: Personas, registry: Client) -> None:
    data = {
        "student_number": personas.student.student_number,
        "term": "114-1",
        "variant": "makeup_exam",
        "course_code": CODE,
        "subject_name": "國文",
        "grade_level": 10,
        "term1_periods": 36,
        "term2_periods": 36,
        "makeup_score": "50",
        "makeup_passed": "false",
        "second_makeup_score": "70",
        "second_makeup_passed": "true",
        "transfer_identity": "a1",
        "retake_passed": "true",
        "year_score": "61",
        "year_passed": "true",
    }
    page = registry.get(reverse("records:grade_create")).content.decode()
    assert "第二次補考成績" in page and "第一學期開設修課節數" in page
    assert registry.post(reverse("records:grade_create"), data).status_code == 302
    grade = Grade.objects.get()
    assert (grade.variant, grade.term1_periods, grade.second_makeup_score, grade.second_makeup_passed) == (
        "makeup_exam",
        36,
        70,
        True,
    )
    assert (grade.transfer_identity, grade.retake_passed, grade.year_score, grade.year_passed) == ("A1", True, 61, True)
    page = registry.post(
        reverse("records:grade_edit", kwargs={"pk": grade.pk}), {**data, "transfer_identity": "第2類"}
    ).content.decode()
    assert "請填最多 10 個數字或英文字母的代碼。" in page
    grade.refresh_from_db()
    assert grade.transfer_identity == "A1"
