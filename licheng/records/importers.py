"""The record types imported through ``spreadsheets``: each type's columns, its check (never
writes; ``services`` writes) and its permission, registered in ``RECORD_TYPES``. The types live in
modules named after them: ``grades_import``, ``profiles_import``, ``enrolments_import``,
``staff_records`` (cadre roles, attendance, rewards/penalties, career exploration),
``office_records`` and ``electives``; the course-code TXT in ``course_code_txt``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext_lazy

from licheng.core.spreadsheets import Checked, Column, Row
from licheng.records.cells import COURSE_CODE, CREDITS_PER_TERM, course_code, grade_level
from licheng.records.course_code_txt import (
    CourseCodeLine,
    course_code_metadata,
    is_flexible_or_group,
    parse_course_code_line,
    read_course_code_txt,
)
from licheng.records.enrolments_import import ENROLMENT_COLUMNS, check_enrolments
from licheng.records.grades_import import (
    CREDIT_CODES,
    GRADE_COLUMNS,
    GRADE_VALUE_FIELDS,
    VARIANT_EXPORT,
    VARIANT_NAMES,
    check_grades,
    grade_export_row,
    known_course_codes,
)
from licheng.records.profiles_import import PROFILE_COLUMNS, PROFILE_EXAMPLE, check_profiles, profile_year
from licheng.schools.models import School

__all__ = [
    "COURSE_CODE",
    "CREDITS_PER_TERM",
    "CREDIT_CODES",
    "ENROLMENT_COLUMNS",
    "GRADE_COLUMNS",
    "GRADE_VALUE_FIELDS",
    "PROFILE_COLUMNS",
    "RECORD_TYPES",
    "VARIANT_EXPORT",
    "VARIANT_NAMES",
    "CourseCodeLine",
    "RecordType",
    "check_enrolments",
    "check_grades",
    "check_profiles",
    "columns_for",
    "course_code",
    "course_code_metadata",
    "grade_export_row",
    "grade_level",
    "is_flexible_or_group",
    "known_course_codes",
    "parse_course_code_line",
    "profile_year",
    "read_course_code_txt",
]


@dataclasses.dataclass(frozen=True)
class RecordType:
    key: str
    label: Any
    columns: tuple[Column, ...]
    permission: str
    max_rows: int
    check: Callable[[School, list[Row], list[str]], Checked]
    example: tuple[Any, ...] = ()  # a row of the downloadable template


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
        PROFILE_EXAMPLE,
    ),
}


def columns_for(key: str) -> Sequence[Column]:
    return RECORD_TYPES[key].columns


# Cadre roles, attendance and rewards/penalties (defined in ``staff_records``).
from licheng.records import staff_records as _staff_records  # noqa: E402

RECORD_TYPES.update(_staff_records.record_types())

# Office-entered learning records (defined in ``office_records``).
from licheng.records import office_records as _office_records  # noqa: E402

RECORD_TYPES.update(_office_records.record_types())

# Elective course names (defined in ``electives``).
from licheng.records import electives as _electives  # noqa: E402

RECORD_TYPES["elective_names"] = _electives.record_type()
