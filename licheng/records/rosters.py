"""The pre-check roster (預檢_修課紀錄名冊, 開課預檢): the students' enrolments of one term in the
central database's layout, sent before the term's grades so that course codes and students are
checked early (seed 004: before 9/16).

The workbook has a cover sheet 「封面」 (學校代碼 | 學年度 | 學期 | 名冊別) and a course-record sheet
「修課紀錄」 with one row per enrolment: national ID, 7-digit ROC birth date, course code, subject
name, grade level offered, credits. It reads only record types in ``submittable`` (students,
courses, enrolments) — counselling records can never reach it. A roster with a bad course code or a
student without a valid national ID or birth date is refused with every problem listed."""

from __future__ import annotations

import dataclasses
import io
import re
from typing import Any

from django.utils.translation import gettext as _

from licheng.core import spreadsheets as sheets
from licheng.core.errors import ServiceError
from licheng.courses.models import Course, Enrolment
from licheng.people.models import Student
from licheng.people.national_id import NationalIdError
from licheng.people.national_id import validate as validate_national_id
from licheng.records.models import CourseCode
from licheng.records.submittable import assert_submittable
from licheng.schools import rocdate
from licheng.schools.models import School, Term

PRECHECK_ROSTER_NAME = "預檢_修課紀錄名冊"
COVER_HEADER = ["學校代碼", "學年度", "學期", "名冊別"]
COURSE_RECORD_HEADER = ["身分證號", "出生日期", "課程代碼", "科目名稱", "開課年級", "學分數"]
COURSE_CODE = re.compile(r"^[0-9A-Z]{23}$")


@dataclasses.dataclass
class Roster:
    rows: list[list[Any]]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def precheck_rows(school: School, term: Term) -> Roster:
    """The roster's course-record rows (sorted by class, seat, course code) and, in the user's
    language, every reason the roster cannot be sent yet. Three queries."""
    for model in (Student, Course, Enrolment):
        assert_submittable(model)
    enrolments = (
        Enrolment.objects.filter(school=school, course__term=term)
        .select_related("course", "course__school_class", "student", "student__school_class")
        .order_by(
            "student__school_class__name", "student__seat", "student__student_number", "course__course_code", "pk"
        )
    )
    imported = set(CourseCode.objects.filter(school=school).values_list("code", flat=True))
    rows: list[list[Any]] = []
    problems: list[str] = []
    bad_students: set[int] = set()
    bad_codes: set[str] = set()
    # A student's national ID and birth date are checked (and the ID decrypted) once, not once per course.
    checked: dict[int, tuple[str, str]] = {}
    for enrolment in enrolments:
        course, student = enrolment.course, enrolment.student
        code = course.course_code
        if code not in bad_codes:
            if not COURSE_CODE.match(code):
                bad_codes.add(code)
                problems.append(
                    _("Course %(subject)s has the invalid course code “%(code)s” (23 digits and capital letters).")
                    % {"subject": course.subject_name, "code": code}
                )
            elif imported and code not in imported:
                bad_codes.add(code)
                problems.append(
                    _("Course %(subject)s has the course code %(code)s, which is not among the imported course codes.")
                    % {"subject": course.subject_name, "code": code}
                )
        national_id = birth = ""
        if student.pk in checked:
            national_id, birth = checked[student.pk]
        elif student.pk not in bad_students:
            missing = []
            try:
                national_id = validate_national_id(student.national_id if student.national_id_cipher else "")
            except (NationalIdError, ValueError):
                missing.append(_("a valid national ID"))
            try:
                birth = rocdate.format_roc_compact(student.birth_date) if student.birth_date else ""
            except rocdate.RocDateError:
                birth = ""
            if not birth:
                missing.append(_("a birth date"))
            if missing:
                bad_students.add(student.pk)
                problems.append(
                    _("Student %(number)s %(name)s lacks %(what)s.")
                    % {"number": student.student_number, "name": student.name, "what": "、".join(missing)}
                )
            else:
                checked[student.pk] = (national_id, birth)
        if student.pk in bad_students:
            continue
        school_class = course.school_class or student.school_class
        rows.append(
            [
                national_id,
                birth,
                code,
                course.subject_name,
                school_class.grade if school_class else "",
                course.credits,
            ]
        )
    if not rows and not problems:
        problems.append(_("No student is enrolled in a course of term %(term)s.") % {"term": term_label(term)})
    return Roster(rows, problems)


def term_label(term: Term) -> str:
    return rocdate.term_label(term.academic_year.year, term.number)


def precheck_workbook(school: School, term: Term) -> bytes:
    """The roster as an XLSX; raises ``ServiceError`` listing every problem when it cannot be sent."""
    import openpyxl

    roster = precheck_rows(school, term)
    if not roster.ok:
        raise ServiceError(
            _("The pre-check roster cannot be made yet: %(problems)s") % {"problems": " ".join(roster.problems[:50])}
        )
    workbook = openpyxl.Workbook(write_only=True)
    cover = workbook.create_sheet(title="封面")
    cover.append(COVER_HEADER)
    cover.append([school.code, f"{term.academic_year.year:03d}", str(term.number), PRECHECK_ROSTER_NAME])
    sheet = workbook.create_sheet(title="修課紀錄")
    sheet.append(COURSE_RECORD_HEADER)
    for row in roster.rows:
        sheet.append([sheets.neutralise(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
