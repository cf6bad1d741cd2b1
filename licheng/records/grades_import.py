"""Grades (修課紀錄) read from the administration system's export: columns with the variants
補修/重修/重讀/轉學轉科 and continuing education's periods, the upload check, the export row."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licheng.core import spreadsheets as sheets
from licheng.core.spreadsheets import CellError, Checked, Column, Row
from licheng.courses.models import Course
from licheng.people import crypto
from licheng.people.models import Student
from licheng.people.national_id import NationalIdError
from licheng.people.national_id import validate as validate_national_id
from licheng.records.cells import course_code, grade_level
from licheng.records.models import CourseCode, CreditCounted, Grade, GradeVariant
from licheng.records.student_lookup import sealed_message
from licheng.schools.models import School

VARIANT_NAMES: dict[str, str] = {
    "一般": GradeVariant.REGULAR,
    "regular": GradeVariant.REGULAR,
    "補修": GradeVariant.MAKEUP_COURSE,
    "makeup": GradeVariant.MAKEUP_COURSE,
    "makeup_course": GradeVariant.MAKEUP_COURSE,
    "重修": GradeVariant.RETAKE,
    "retake": GradeVariant.RETAKE,
    "重讀": GradeVariant.REPEAT,
    "repeat": GradeVariant.REPEAT,
    "轉學轉科": GradeVariant.TRANSFER,
    "轉學": GradeVariant.TRANSFER,
    "轉科": GradeVariant.TRANSFER,
    "transfer": GradeVariant.TRANSFER,
    "進修部補考": GradeVariant.MAKEUP_EXAM,
    "進修部補考成績": GradeVariant.MAKEUP_EXAM,
    "makeup_exam": GradeVariant.MAKEUP_EXAM,
    "makeup exam": GradeVariant.MAKEUP_EXAM,
}
CREDIT_CODES = {"1": CreditCounted.COUNTED, "2": CreditCounted.NOT_COUNTED, "3": CreditCounted.OTHER}

_score = sheets.score
_yes_no = sheets.yes_no
_term = sheets.term


def _identity(value: str) -> str:
    """身分別 of a transfer credit: a code of up to 10 digits or letters."""
    if not re.fullmatch(r"[0-9A-Za-z]{1,10}", value):
        raise CellError(_("Write a code of up to 10 digits or letters, not “%(value)s”.") % {"value": value[:20]})
    return value.upper()


GRADE_COLUMNS: tuple[Column, ...] = (
    Column(
        "student_number",
        "學號",
        gettext_lazy("Student number"),
        required=False,
        blank=True,
        aliases=("student number", "student no"),
        example="1140001",
        note=gettext_lazy("The student number, or leave it empty and give the national ID."),
    ),
    Column(
        "national_id",
        "身分證號",
        gettext_lazy("National ID"),
        required=False,
        blank=True,
        secret=True,
        aliases=("national id", "id number", "身分證字號", "身分證統一編號"),
        note=gettext_lazy("Only when the student number is empty."),
    ),
    Column("term", "學年期", gettext_lazy("Term"), parse=_term, aliases=("term", "學期", "學年度學期", "修課學年期")),
    Column("course_code", "課程代碼", gettext_lazy("Course code"), parse=course_code, aliases=("course code",)),
    Column(
        "subject_name",
        "科目名稱",
        gettext_lazy("Subject name"),
        parse=sheets.text(60),
        aliases=("subject",),
        example="國語文",
    ),
    Column("grade_level", "開課年級", gettext_lazy("Grade level offered"), parse=grade_level, aliases=("grade level",)),
    Column(
        "credits",
        "學分數",
        gettext_lazy("Credits"),
        parse=sheets.integer(0, 30),
        required=False,
        blank=True,
        aliases=("credits", "學分"),
        example="4",
    ),
    Column("score", "學期成績", gettext_lazy("Term score"), parse=_score, blank=True, aliases=("score", "成績")),
    Column("passed", "是否及格", gettext_lazy("Passed"), parse=_yes_no, blank=True, aliases=("passed", "及格")),
    Column(
        "makeup_score",
        "補考成績",
        gettext_lazy("Make-up exam score"),
        parse=_score,
        required=False,
        blank=True,
        aliases=("makeup score",),
    ),
    Column(
        "makeup_passed",
        "補考是否及格",
        gettext_lazy("Make-up exam passed"),
        parse=_yes_no,
        required=False,
        blank=True,
        aliases=("makeup passed", "補考及格"),
    ),
    Column(
        "credit_counted",
        "是否採計學分",
        gettext_lazy("Credit counted"),
        parse=sheets.choice(CREDIT_CODES, "1、2、3"),
        required=False,
        blank=True,
        aliases=("credit counted", "學分採計"),
        example="1",
        note=gettext_lazy("1 counted, 2 not counted, 3 other."),
    ),
    Column(
        "qualitative_description",
        "質性文字描述",
        gettext_lazy("Qualitative description"),
        parse=sheets.text(500),
        required=False,
        blank=True,
        aliases=("qualitative description", "質性描述"),
    ),
    Column(
        "variant",
        "修課類別",
        gettext_lazy("Record type"),
        parse=sheets.choice(VARIANT_NAMES, "一般、補修、重修、重讀、轉學轉科、進修部補考"),
        required=False,
        blank=True,
        aliases=("variant", "record type", "類別"),
        example="一般",
        note=gettext_lazy(
            "一般 (or empty), 補修, 重修, 重讀 or 轉學轉科. 補修 also fills 應修學年期 and 修課方式; "
            "重修 the 原… columns and 重修成績; 轉學轉科 the 對應… columns and 抵免成績."
        ),
    ),
    Column(
        "due_term",
        "應修學年期",
        gettext_lazy("Term due"),
        parse=_term,
        required=False,
        blank=True,
        aliases=("term due",),
    ),
    Column(
        "method",
        "修課方式",
        gettext_lazy("Method"),
        parse=sheets.text(40),
        required=False,
        blank=True,
        aliases=("method", "補修方式", "重修方式"),
    ),
    Column(
        "original_term",
        "原修課學年期",
        gettext_lazy("Original term"),
        parse=_term,
        required=False,
        blank=True,
        aliases=("original term",),
    ),
    Column(
        "original_course_code",
        "原課程代碼",
        gettext_lazy("Original course code"),
        parse=course_code,
        required=False,
        blank=True,
        aliases=("original course code",),
    ),
    Column(
        "original_subject_name",
        "原科目名稱",
        gettext_lazy("Original subject name"),
        parse=sheets.text(60),
        required=False,
        blank=True,
        aliases=("original subject",),
    ),
    Column(
        "original_grade_level",
        "原開課年級",
        gettext_lazy("Original grade level"),
        parse=grade_level,
        required=False,
        blank=True,
        aliases=("original grade level",),
    ),
    Column(
        "original_credits",
        "原學分數",
        gettext_lazy("Original credits"),
        parse=sheets.integer(0, 30),
        required=False,
        blank=True,
        aliases=("original credits",),
    ),
    Column(
        "retake_score",
        "重修成績",
        gettext_lazy("Retake score"),
        parse=_score,
        required=False,
        blank=True,
        aliases=("retake score",),
    ),
    Column(
        "is_repeat",
        "重讀註記",
        gettext_lazy("Repeated year"),
        parse=_yes_no,
        required=False,
        blank=True,
        aliases=("repeat",),
    ),
    Column(
        "mapped_term",
        "對應學年期",
        gettext_lazy("Mapped term"),
        parse=_term,
        required=False,
        blank=True,
        aliases=("mapped term",),
    ),
    Column(
        "mapped_grade_level",
        "對應年級",
        gettext_lazy("Mapped grade level"),
        parse=grade_level,
        required=False,
        blank=True,
        aliases=("mapped grade level",),
    ),
    Column(
        "transfer_score",
        "抵免成績",
        gettext_lazy("Credit-transfer score"),
        parse=_score,
        required=False,
        blank=True,
        aliases=("transfer score",),
    ),
    # Continuing education (進修部): periods instead of credits.
    Column(
        "periods",
        "節數",
        gettext_lazy("Periods"),
        parse=sheets.integer(0, 200),
        required=False,
        blank=True,
        aliases=("periods", "上課節數"),
    ),
    Column(
        "original_periods",
        "原節數",
        gettext_lazy("Original periods"),
        parse=sheets.integer(0, 200),
        required=False,
        blank=True,
        aliases=("original periods",),
    ),
    Column(
        "retake_passed",
        "重修及格",
        gettext_lazy("Retake passed"),
        parse=_yes_no,
        required=False,
        blank=True,
        aliases=("retake passed", "重修是否及格"),
    ),
    Column(
        "transfer_identity",
        "身分別",
        gettext_lazy("Identity (transfer credit)"),
        parse=_identity,
        required=False,
        blank=True,
        aliases=("identity", "transfer identity"),
    ),
    Column(
        "year_score",
        "學年學業成績",
        gettext_lazy("Year score"),
        parse=_score,
        required=False,
        blank=True,
        aliases=("year score", "學年成績"),
    ),
    Column(
        "year_passed",
        "學年及格",
        gettext_lazy("Year passed"),
        parse=_yes_no,
        required=False,
        blank=True,
        aliases=("year passed", "學年是否及格"),
    ),
    Column(
        "term1_periods",
        "第一學期開設修課節數",
        gettext_lazy("Periods offered in term 1"),
        parse=sheets.integer(0, 200),
        required=False,
        blank=True,
        aliases=("term 1 periods", "第一學期節數"),
    ),
    Column(
        "term2_periods",
        "第二學期開設修課節數",
        gettext_lazy("Periods offered in term 2"),
        parse=sheets.integer(0, 200),
        required=False,
        blank=True,
        aliases=("term 2 periods", "第二學期節數"),
    ),
    Column(
        "second_makeup_score",
        "第二次補考成績",
        gettext_lazy("Second make-up exam score"),
        parse=_score,
        required=False,
        blank=True,
        aliases=("second makeup score",),
    ),
    Column(
        "second_makeup_passed",
        "第二次及格",
        gettext_lazy("Second make-up exam passed"),
        parse=_yes_no,
        required=False,
        blank=True,
        aliases=("second makeup passed", "第二次補考及格", "第二次補考是否及格"),
    ),
)

# Grade fields written from a checked row (besides student and the natural key).
GRADE_VALUE_FIELDS = (
    "subject_name",
    "grade_level",
    "credits",
    "score",
    "passed",
    "makeup_score",
    "makeup_passed",
    "credit_counted",
    "qualitative_description",
    "due_academic_year",
    "due_term",
    "method",
    "original_academic_year",
    "original_term",
    "original_course_code",
    "original_subject_name",
    "original_grade_level",
    "original_credits",
    "retake_score",
    "is_repeat",
    "mapped_academic_year",
    "mapped_term",
    "mapped_grade_level",
    "transfer_score",
    "periods",
    "original_periods",
    "retake_passed",
    "transfer_identity",
    "year_score",
    "year_passed",
    "term1_periods",
    "term2_periods",
    "second_makeup_score",
    "second_makeup_passed",
)


def known_course_codes(school: School) -> set[str]:
    """Codes imported from the course-plan platform plus those of the school's courses."""
    codes = set(CourseCode.objects.filter(school=school).values_list("code", flat=True))
    codes.update(Course.objects.filter(school=school).values_list("course_code", flat=True).distinct())
    return codes


def _split_term(values: dict[str, Any], key: str, year_field: str, term_field: str) -> None:
    pair = values.pop(key, None)
    values[year_field], values[term_field] = pair if pair else (None, None)


def check_grades(school: School, rows: list[Row], present: list[str]) -> Checked:
    if "student_number" not in present and "national_id" not in present:
        from licheng.core.errors import ServiceError

        raise ServiceError(
            _("The file needs a column 學號 (student number) or 身分證號 (national ID) to find each student."),
            field="file",
        )
    result = sheets.parse_cells(GRADE_COLUMNS, rows, present)
    by_number: dict[str, int] = {}
    by_digest: dict[str, int] = {}
    sealed: set[int] = set()
    for pk, number, digest, sealed_at in Student.objects.filter(school=school).values_list(
        "pk", "student_number", "national_id_digest", "sealed_at"
    ):
        by_number[number] = pk
        by_digest[digest] = pk
        if sealed_at is not None:
            sealed.add(pk)
    codes = known_course_codes(school)
    unknown_code = _("Course code %(value)s is not in this school's course codes; import the course codes first.")
    no_student = _("No student with number %(value)s in this school.")
    no_student_id = _("No student with this national ID in this school.")
    need_student = _("Give the student number or the national ID.")
    mismatch = _("The student number and the national ID belong to different students.")
    for row in rows:
        line = row.line
        values = result.values[line]
        number, national_id = values.pop("student_number"), values.pop("national_id")
        student_id = None
        if number is not None:
            student_id = by_number.get(number)
            if student_id is None:
                result.add(line, "student_number", no_student % {"value": number})
        if national_id is not None:
            try:
                digest = crypto.digest(validate_national_id(national_id))
            except NationalIdError as error:
                result.add(line, "national_id", str(error))
            else:
                by_id = by_digest.get(digest)
                if by_id is None:
                    result.add(line, "national_id", no_student_id)
                elif student_id is not None and by_id != student_id:
                    result.add(line, "national_id", mismatch)
                student_id = student_id or by_id
        elif number is None and not result.has_error(line, "student_number"):
            result.add(line, "student_number", need_student)
        if student_id is not None and student_id in sealed:
            result.add(line, "student_number" if number else "national_id", sealed_message(number or ""))
        values["student_id"] = student_id
        code = values["course_code"]
        if code is not None and code not in codes:
            result.add(line, "course_code", unknown_code % {"value": code})
        variant = values["variant"] or GradeVariant.REGULAR
        values["variant"] = variant
        if variant == GradeVariant.MAKEUP_COURSE and values["due_term"] is None:
            result.add(line, "due_term", _("A make-up course (補修) needs the term it was due."))
        if variant == GradeVariant.RETAKE:
            if values["original_term"] is None:
                result.add(line, "original_term", _("A retake (重修) needs the original term."))
            if values["original_course_code"] is None:
                result.add(line, "original_course_code", _("A retake (重修) needs the original course code."))
        if variant == GradeVariant.TRANSFER and values["mapped_term"] is None:
            result.add(line, "mapped_term", _("A transfer credit (轉學轉科) needs the mapped term."))
        _split_term(values, "term", "academic_year", "term_number")
        _split_term(values, "due_term", "due_academic_year", "due_term")
        _split_term(values, "original_term", "original_academic_year", "original_term")
        _split_term(values, "mapped_term", "mapped_academic_year", "mapped_term")
        values["is_repeat"] = bool(values["is_repeat"]) or variant == GradeVariant.REPEAT
        if values["credits"] is None:
            if values["periods"] is None and (
                variant != GradeVariant.MAKEUP_EXAM
                or (values["term1_periods"] is None and values["term2_periods"] is None)
            ):
                if not result.has_error(line, "credits"):
                    result.add(line, "credits", _("Give the credits (or, for continuing education, the periods)."))
            else:
                values["credits"] = 0
        text_fields = ("qualitative_description", "method", "original_course_code", "original_subject_name")
        for text_field in (*text_fields, "transfer_identity"):
            values[text_field] = values[text_field] or ""

    def natural_key(row: Row) -> tuple[Any, ...] | None:
        v = result.values[row.line]
        if v["student_id"] is None or v["academic_year"] is None or v["course_code"] is None:
            return None
        return (v["student_id"], v["academic_year"], v["term_number"], v["course_code"], v["variant"])

    sheets.duplicates(
        rows,
        natural_key,
        result,
        "course_code",
        _("Same student, term, course code and record type as line %(lines)s."),
    )
    result.sort(GRADE_COLUMNS)
    return result


def grade_export_row(grade: Grade, student_number: str) -> list[Any]:
    """One grade in ``GRADE_COLUMNS`` order (the national ID is left out of exports)."""

    def term_text(year: int | None, number: int | None) -> str:
        return f"{year}-{number}" if year and number else ""

    def yes_no(value: bool | None) -> str:
        return "" if value is None else ("1" if value else "0")

    return [
        student_number,
        "",
        grade.term_label,
        grade.course_code,
        grade.subject_name,
        grade.grade_level,
        grade.credits,
        grade.score if grade.score is None else float(grade.score),
        yes_no(grade.passed),
        -1 if grade.makeup_score is None else float(grade.makeup_score),
        yes_no(grade.makeup_passed),
        grade.credit_counted or "",
        grade.qualitative_description,
        VARIANT_EXPORT[GradeVariant(grade.variant)],
        term_text(grade.due_academic_year, grade.due_term),
        grade.method,
        term_text(grade.original_academic_year, grade.original_term),
        grade.original_course_code,
        grade.original_subject_name,
        grade.original_grade_level or "",
        grade.original_credits if grade.original_credits is not None else "",
        "" if grade.retake_score is None else float(grade.retake_score),
        "1" if grade.is_repeat else "",
        term_text(grade.mapped_academic_year, grade.mapped_term),
        grade.mapped_grade_level or "",
        "" if grade.transfer_score is None else float(grade.transfer_score),
        "" if grade.periods is None else grade.periods,
        "" if grade.original_periods is None else grade.original_periods,
        yes_no(grade.retake_passed),
        grade.transfer_identity,
        "" if grade.year_score is None else float(grade.year_score),
        yes_no(grade.year_passed),
        "" if grade.term1_periods is None else grade.term1_periods,
        "" if grade.term2_periods is None else grade.term2_periods,
        "" if grade.second_makeup_score is None else float(grade.second_makeup_score),
        yes_no(grade.second_makeup_passed),
    ]


VARIANT_EXPORT = {
    GradeVariant.REGULAR: "一般",
    GradeVariant.MAKEUP_COURSE: "補修",
    GradeVariant.RETAKE: "重修",
    GradeVariant.REPEAT: "重讀",
    GradeVariant.TRANSFER: "轉學轉科",
    GradeVariant.MAKEUP_EXAM: "進修部補考",
}
