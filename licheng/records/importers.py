"""The record types imported through ``spreadsheets``: grades (修課紀錄) and student profiles, plus
the course-plan platform's course-code TXT. Checking here never writes; ``services`` writes."""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from licheng.core import spreadsheets as sheets
from licheng.core.spreadsheets import CellError, Checked, Column, Row
from licheng.courses.models import Course
from licheng.people import crypto
from licheng.people.models import Student
from licheng.people.national_id import NationalIdError
from licheng.people.national_id import validate as validate_national_id
from licheng.records.models import CourseCode, CreditCounted, Grade, GradeVariant
from licheng.schools.models import AcademicYear, School, SchoolClass

COURSE_CODE = re.compile(r"^[0-9A-Z]{23}$")
CREDITS_PER_TERM = re.compile(r"^[0-9]{6}$")


def course_code(value: str) -> str:
    code = value.strip().upper()
    if not COURSE_CODE.match(code):
        raise CellError(_("“%(value)s” is not a course code: 23 digits and capital letters.") % {"value": value[:30]})
    return code


def grade_level(value: str) -> int:
    """10–12, or 1–3 as some exports write it."""
    if re.fullmatch(r"\d{1,2}(\.0+)?", value):
        number = int(float(value))
        if 1 <= number <= 3:
            return number + 9
        if 10 <= number <= 12:
            return number
    raise CellError(_("A grade level is 10, 11 or 12 (or 1 to 3), not “%(value)s”.") % {"value": value})


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
}
CREDIT_CODES = {"1": CreditCounted.COUNTED, "2": CreditCounted.NOT_COUNTED, "3": CreditCounted.OTHER}

_score = sheets.score
_yes_no = sheets.yes_no
_term = sheets.term

GRADE_COLUMNS: tuple[Column, ...] = (
    Column(
        "student_number",
        "學號",
        gettext_lazy("Student number"),
        required=False,
        blank=True,
        aliases=("student number", "student no"),
    ),
    Column(
        "national_id",
        "身分證號",
        gettext_lazy("National ID"),
        required=False,
        blank=True,
        secret=True,
        aliases=("national id", "id number", "身分證字號", "身分證統一編號"),
    ),
    Column("term", "學年期", gettext_lazy("Term"), parse=_term, aliases=("term", "學期", "學年度學期", "修課學年期")),
    Column("course_code", "課程代碼", gettext_lazy("Course code"), parse=course_code, aliases=("course code",)),
    Column("subject_name", "科目名稱", gettext_lazy("Subject name"), parse=sheets.text(60), aliases=("subject",)),
    Column("grade_level", "開課年級", gettext_lazy("Grade level offered"), parse=grade_level, aliases=("grade level",)),
    Column("credits", "學分數", gettext_lazy("Credits"), parse=sheets.integer(0, 30), aliases=("credits", "學分")),
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
        parse=sheets.choice(VARIANT_NAMES, "一般、補修、重修、重讀、轉學轉科"),
        required=False,
        blank=True,
        aliases=("variant", "record type", "類別"),
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
)

PROFILE_COLUMNS: tuple[Column, ...] = (
    Column("student_number", "學號", gettext_lazy("Student number"), aliases=("student number", "student no")),
    Column("name", "姓名", pgettext_lazy("person", "Name"), parse=sheets.text(60), aliases=("name",)),
    Column("class_name", "班級", gettext_lazy("Class"), parse=sheets.text(20), required=False, aliases=("class",)),
    Column("seat", "座號", gettext_lazy("Seat"), parse=sheets.integer(1, 99), required=False, aliases=("seat",)),
    Column(
        "birth_date",
        "出生日期",
        gettext_lazy("Birth date"),
        parse=sheets.roc_date,
        required=False,
        aliases=("birth date", "生日"),
    ),
)


@dataclasses.dataclass(frozen=True)
class RecordType:
    key: str
    label: Any
    columns: tuple[Column, ...]
    permission: str
    max_rows: int
    check: Callable[[School, list[Row], list[str]], Checked]


# ---------------------------------------------------------------------------------------------
# Grades
# ---------------------------------------------------------------------------------------------


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
    for pk, number, digest in Student.objects.filter(school=school).values_list(
        "pk", "student_number", "national_id_digest"
    ):
        by_number[number] = pk
        by_digest[digest] = pk
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
        for text_field in ("qualitative_description", "method", "original_course_code", "original_subject_name"):
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


# ---------------------------------------------------------------------------------------------
# Profiles (updates of existing students)
# ---------------------------------------------------------------------------------------------


def profile_year(school: School) -> AcademicYear | None:
    from licheng.schools.selectors import current_term

    term = current_term(school)
    if term is not None:
        return term.academic_year
    return AcademicYear.objects.filter(school=school).order_by("-year").first()


def check_profiles(school: School, rows: list[Row], present: list[str]) -> Checked:
    result = sheets.parse_cells(PROFILE_COLUMNS, rows, present)
    students = {
        number: (pk, class_id, seat)
        for pk, number, class_id, seat in Student.objects.filter(school=school).values_list(
            "pk", "student_number", "school_class_id", "seat"
        )
    }
    year = profile_year(school)
    classes = dict(SchoolClass.objects.filter(school=school, academic_year=year).values_list("name", "pk"))
    in_file: set[int] = set()
    today = datetime.date.today()
    for row in rows:
        values = result.values[row.line]
        number = values["student_number"]
        found = students.get(number) if number is not None else None
        if number is not None and found is None:
            result.add(
                row.line, "student_number", _("No student with number %(value)s in this school.") % {"value": number}
            )
        values["student_id"] = found[0] if found else None
        if found:
            in_file.add(found[0])
        if "class_name" in present:
            name = values["class_name"]
            values["school_class_id"] = classes.get(name) if name else None
            if name and values["school_class_id"] is None:
                result.add(
                    row.line,
                    "class_name",
                    _("This school has no class “%(value)s” in academic year %(year)s.")
                    % {"value": name, "year": year.year if year else "—"},
                )
        birth = values.get("birth_date")
        if birth is not None and not datetime.date(1912, 1, 1) <= birth <= today:
            result.add(row.line, "birth_date", _("This birth date is not possible."))
    # Seats held by students the file does not move stay taken.
    if "seat" in present:
        taken = {
            (class_id, seat): number
            for number, (pk, class_id, seat) in students.items()
            if pk not in in_file and class_id and seat
        }
        for row in rows:
            values = result.values[row.line]
            class_id = values.get("school_class_id")
            if class_id is None and "class_name" not in present and values["student_id"]:
                class_id = students[values["student_number"]][1]
            holder = taken.get((class_id, values["seat"]))  # type: ignore[arg-type]
            if holder is not None and values["seat"] is not None:
                result.add(
                    row.line,
                    "seat",
                    _("Seat %(seat)s is taken by student %(number)s.") % {"seat": values["seat"], "number": holder},
                )
        sheets.duplicates(
            rows,
            lambda r: (r.cells[2], r.cells[3]) if r.cells[2] and r.cells[3] else None,
            result,
            "seat",
            _("Same class and seat as line %(lines)s."),
        )
    sheets.duplicates(
        rows, lambda r: r.cells[0] or None, result, "student_number", _("Same student number as line %(lines)s.")
    )
    result.sort(PROFILE_COLUMNS)
    return result


ENROLMENT_COLUMNS: tuple[Column, ...] = (
    Column("student_number", "學號", gettext_lazy("Student number"), aliases=("student number", "student no")),
    Column("term", "學年期", gettext_lazy("Term"), parse=_term, aliases=("term", "學期", "學年度學期")),
    Column("course_code", "課程代碼", gettext_lazy("Course code"), parse=course_code, aliases=("course code",)),
    Column(
        "class_or_group",
        "班級或群組",
        gettext_lazy("Class or group"),
        parse=sheets.text(60),
        required=False,
        blank=True,
        aliases=("class or group", "班級", "群組", "開課班級"),
    ),
)


def check_enrolments(school: School, rows: list[Row], present: list[str]) -> Checked:
    """Student course choices (選課結果): each row enrols a student in the term's course with that
    code (and that class or group, when the code is offered to several)."""
    result = sheets.parse_cells(ENROLMENT_COLUMNS, rows, present)
    students = dict(Student.objects.filter(school=school).values_list("student_number", "pk"))
    courses: dict[tuple[int, int, str], list[tuple[int, str]]] = {}
    for pk, year, number, code, class_name, group in Course.objects.filter(school=school).values_list(
        "pk", "term__academic_year__year", "term__number", "course_code", "school_class__name", "group_name"
    ):
        courses.setdefault((year, number, code), []).append((pk, class_name or group))
    for row in rows:
        values = result.values[row.line]
        number = values["student_number"]
        values["student_id"] = students.get(number) if number else None
        if number and values["student_id"] is None:
            result.add(
                row.line, "student_number", _("No student with number %(value)s in this school.") % {"value": number}
            )
        values["course_id"] = None
        if values["term"] is None or values["course_code"] is None:
            continue
        offered = courses.get((*values["term"], values["course_code"]), [])
        wanted = values["class_or_group"]
        if wanted:
            offered = [c for c in offered if c[1] == wanted]
        if not offered:
            result.add(
                row.line,
                "course_code",
                _("No course with code %(code)s in term %(term)s%(group)s.")
                % {
                    "code": values["course_code"],
                    "term": "-".join(str(p) for p in values["term"]),
                    "group": f" ({wanted})" if wanted else "",
                },
            )
        elif len(offered) > 1:
            result.add(
                row.line,
                "class_or_group",
                _("Code %(code)s is offered to several classes or groups (%(names)s); say which one.")
                % {"code": values["course_code"], "names": "、".join(name for _pk, name in offered)},
            )
        else:
            values["course_id"] = offered[0][0]

    def key(row: Row) -> tuple[int, int] | None:
        v = result.values[row.line]
        return (v["student_id"], v["course_id"]) if v["student_id"] and v["course_id"] else None

    sheets.duplicates(rows, key, result, "course_code", _("Same student and course as line %(lines)s."))
    result.sort(ENROLMENT_COLUMNS)
    return result


RECORD_TYPES: dict[str, RecordType] = {
    "grades": RecordType(
        "grades", gettext_lazy("Grades"), GRADE_COLUMNS, "records.manage_grades", 100_000, check_grades
    ),
    "enrolments": RecordType(
        "enrolments",
        gettext_lazy("Course enrolments"),
        ENROLMENT_COLUMNS,
        "courses.manage",
        50_000,
        check_enrolments,
    ),
    "profiles": RecordType(
        "profiles",
        gettext_lazy("Student profiles"),
        PROFILE_COLUMNS,
        "people.manage_students",
        20_000,
        check_profiles,
    ),
}


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
    ]


VARIANT_EXPORT = {
    GradeVariant.REGULAR: "一般",
    GradeVariant.MAKEUP_COURSE: "補修",
    GradeVariant.RETAKE: "重修",
    GradeVariant.REPEAT: "重讀",
    GradeVariant.TRANSFER: "轉學轉科",
}


# ---------------------------------------------------------------------------------------------
# Course-code TXT
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class CourseCodeLine:
    line: int
    code: str
    credits_per_term: str
    subject_name: str
    extra: list[str]


def parse_course_code_line(text: str) -> tuple[str, str, list[str]]:
    """``CODE<sep>CREDITS[<sep>NAME…]`` with tab, comma or spaces; else fixed width (23 + 6 + rest)."""
    stripped = text.strip().lstrip("\ufeff")
    if re.search(r"[\t,，]", stripped):
        parts = [p.strip().strip('"') for p in re.split(r"[\t,，]", stripped)]
    else:
        parts = stripped.split(None, 2)
    first = parts[0]
    if len(first) >= 29 and (len(parts) == 1 or len(first) == 29):
        tail = first[29:].strip()
        return first[:23], first[23:29], ([tail] if tail else []) + [p for p in parts[1:] if p]
    return first, parts[1] if len(parts) > 1 else "", [p for p in parts[2:] if p]


def course_code_metadata(code: str) -> dict[str, str]:
    """Positions as commonly described; unverified, kept for reference only."""
    return {
        "entry_year": code[0:3],
        "school_code": code[3:9],
        "division": code[9],
        "class_type": code[10],
        "programme": code[11:14],
        "course_category": code[14],
        "course_type": code[15],
        "domain": code[16],
        "subject": code[17:19],
        "version": code[19:23],
    }


def read_course_code_txt(content: bytes) -> tuple[list[CourseCodeLine], list[dict[str, Any]]]:
    """The good lines and the bad ones (``{"line", "text", "message"}``); blank lines are skipped."""
    sheets.check_size(content, 5_000_000)
    if content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        from licheng.core.errors import ServiceError

        raise ServiceError(_("This is not a text (TXT) file of course codes."), field="file")
    text = sheets.decode_text(content)
    good: list[CourseCodeLine] = []
    bad: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        code, credits, extra = parse_course_code_line(raw)
        code = code.upper()
        problem = None
        if len(code) != 23:
            problem = _("The course code has %(count)s characters; it must have 23.") % {"count": len(code)}
        elif not COURSE_CODE.match(code):
            problem = _("The course code may hold only digits and capital letters.")
        elif not CREDITS_PER_TERM.match(credits):
            problem = _("The credits per term must be 6 digits, such as 444440, not “%(value)s”.") % {
                "value": credits[:20]
            }
        elif code in seen:
            problem = _("Same course code as line %(lines)s.") % {"lines": seen[code]}
        if problem:
            bad.append({"line": number, "text": raw.strip()[:80], "message": problem})
            continue
        seen[code] = number
        name = extra[0][:60] if extra else ""
        good.append(CourseCodeLine(number, code, credits, name, extra[1:]))
    return good, bad


def is_flexible_or_group(code: str) -> bool:
    return code[16] == "9" and code[18] == "D"


def columns_for(key: str) -> Sequence[Column]:
    return RECORD_TYPES[key].columns


# Cadre roles, attendance and rewards/penalties (defined in ``staff_records``).
from licheng.records import staff_records as _staff_records  # noqa: E402

RECORD_TYPES.update(_staff_records.record_types())
