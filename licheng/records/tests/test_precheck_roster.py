"""The pre-check roster (預檢_修課紀錄名冊): the central database's layout, refusals listing every
problem, counselling never included, who may download it, constant queries."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from licheng.courses.models import Course
from licheng.people.models import Student
from licheng.records.models import CourseCode
from licheng.schools import rocdate
from licheng.testing.clients import client_in
from licheng.testing.factories import StudentFactory, enrol
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def _export(client: Client, personas: Personas) -> Any:
    return client.get(reverse("records:precheck_roster_export") + f"?term={personas.term.pk}")


def _sheets(content: bytes) -> dict[str, list[list[object]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def test_registry_downloads_the_roster_in_the_central_layout(personas: Personas, registry: Client) -> None:
    response = _export(registry, personas)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    books = _sheets(response.content)
    assert list(books) == ["封面", "修課紀錄"]
    assert books["封面"] == [["學校代碼", "學年度", "學期", "名冊別"], ["111111", "114", "1", "預檢_修課紀錄名冊"]]
    header, *rows = books["修課紀錄"]
    assert header == ["身分證號", "出生日期", "課程代碼", "科目名稱", "開課年級", "學分數"]
    student = personas.student
    assert rows == [
        [
            student.national_id,
            rocdate.format_roc_compact(student.birth_date),
            personas.course.course_code,
            "國文",
            10,
            4,
        ]
    ]


def test_counselling_records_never_reach_the_roster(personas: Personas, registry: Client) -> None:
    from licheng.counselling.models import CounsellingSession

    # Whatever the counsellor wrote stays out: the roster reads only submittable record types.
    fields = {f.name for f in CounsellingSession._meta.get_fields()}
    assert "content" in fields
    content = _export(registry, personas).content
    for sheet in _sheets(content).values():
        for row in sheet:
            assert not any("諮詢" in str(value) for value in row if value)
    from licheng.records.submittable import is_submittable

    assert not is_submittable(CounsellingSession)
    assert is_submittable("courses.Enrolment")


def test_bad_course_code_and_missing_id_are_listed_and_nothing_is_downloaded(
    personas: Personas, registry: Client
) -> None:
    Course.objects.filter(pk=personas.course.pk).update(course_code="114-BAD")
    other = StudentFactory.create(school_class=personas.school_class, name="林小華")
    Student.objects.filter(pk=other.pk).update(national_id_cipher="")
    good_course = Course.objects.get(pk=personas.other_course.pk)
    enrol(good_course, other)
    response = _export(registry, personas)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "114-BAD" in page
    assert "林小華" in page and "身分證號" in page
    assert 'role="alert"' in page


def test_a_code_missing_from_the_imported_codes_is_refused(personas: Personas, registry_en: Client) -> None:
    import django.utils.timezone

    CourseCode.objects.create(
        school=personas.school,
        code="114123456A1101010000009",
        credits_per_term="444440",
        entry_year=114,
        imported_at=django.utils.timezone.now(),
    )
    page = _export(registry_en, personas).content.decode()
    assert "not among the imported course codes" in page


def test_api_returns_the_roster_or_the_problems(personas: Personas) -> None:
    client = client_in("zh-hant", personas.registry)
    url = reverse("api-v1:records_precheck_roster") + "?term=114-1"
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert "修課紀錄" in _sheets(response.content)
    Course.objects.filter(pk=personas.course.pk).update(course_code="X")
    response = client.get(url)
    assert response.status_code == 422
    assert any("X" in problem for problem in response.json()["problems"])
    assert client.get(reverse("api-v1:records_precheck_roster") + "?term=120-1").status_code == 404


def test_students_and_teachers_may_not_download(personas: Personas) -> None:
    for user in (personas.student_user, personas.subject_teacher, personas.homeroom_teacher):
        assert client_in("zh-hant", user).get(reverse("records:precheck_roster")).status_code == 403


def test_the_page_costs_the_same_queries_for_more_students(
    personas: Personas, registry: Client, django_assert_max_num_queries: object
) -> None:
    url = reverse("records:precheck_roster") + f"?term={personas.term.pk}"
    registry.get(url)
    for _ in range(15):
        enrol(personas.other_course, StudentFactory.create(school_class=personas.school_class))
    # session, user with school, permissions (a few), terms, enrolments with students and courses, codes
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert registry.get(url).status_code == 200


def test_the_page_opens_on_the_current_term_not_next(personas: Personas, registry: Client) -> None:
    from licheng.testing.factories import make_term

    make_term(personas.school, 116, 1)  # next year's term, made early: no grades yet
    page = registry.get(reverse("records:precheck_roster")).content.decode()
    assert f'<option value="{personas.term.pk}" selected>114-1</option>' in page


def test_each_students_id_is_checked_once_not_once_per_course(personas: Personas, registry: Client) -> None:
    from unittest import mock

    from licheng.records import rosters
    from licheng.testing.factories import make_course

    for number in range(3):
        enrol(make_course(personas.term, personas.subject_teacher, subject=f"選修{number}"), personas.student)
    with mock.patch.object(rosters, "validate_national_id", wraps=rosters.validate_national_id) as check:
        roster = rosters.precheck_rows(personas.school, personas.term)
    students = {row[0] for row in roster.rows}
    assert len(roster.rows) > len(students)  # several courses per student
    assert check.call_count == Student.objects.filter(enrolments__course__term=personas.term).distinct().count()
