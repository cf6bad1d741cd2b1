"""Student profiles (updates of existing students): columns and the upload check."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from licheng.core import spreadsheets as sheets
from licheng.core.spreadsheets import CellError, Checked, Column, Row
from licheng.people import roster_codes
from licheng.people.models import Student
from licheng.records.student_lookup import sealed_message
from licheng.schools.models import AcademicYear, School, SchoolClass

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


def _roster_parser(field: roster_codes.RosterField) -> Callable[[str], Any]:
    def parse(value: str) -> Any:
        try:
            return roster_codes.parse(field, value)
        except roster_codes.RosterValueError as error:
            raise CellError(str(error)) from None

    return parse


_ROSTER_ALIASES = {
    "group_code": ("group code", "群別"),
    "programme_code": ("programme code", "科班學程別", "科別代碼"),
    "class_type": ("class type",),
    "special_statuses": ("special statuses", "特殊身份別"),
    "indigenous_ethnicity": ("indigenous people", "原住民族別代碼"),
    "indigenous_status": ("indigenous status",),
    "indigenous_language_dialect": ("indigenous language dialect", "報考方言"),
    "indigenous_language_exam_year": ("exam year", "族語認證報考年度"),
    "indigenous_language_valid_until": ("valid until", "有效日期"),
    "experimental_class": ("experimental class",),
    "admission_route": ("admission route", "入學方式代碼"),
}
# The central database's student roster codes (學生資料名冊), under its column names; blank cells clear.
PROFILE_COLUMNS += tuple(
    Column(
        field.name,
        field.header,
        roster_codes.verbose_name(field.name),
        parse=_roster_parser(field),
        required=False,
        blank=True,
        aliases=_ROSTER_ALIASES[field.name],
    )
    for field in roster_codes.ROSTER_FIELDS
)

# The template's example row, in PROFILE_COLUMNS order.
PROFILE_EXAMPLE: tuple[Any, ...] = (
    "1140001",
    "陳小明",
    "101",
    1,
    "098.05.17",
    "21",
    "101",
    "1",
    "1,5",
    "01",
    "1",
    "南勢阿美語",
    113,
    "115.11.01",
    "",
    "02",
)


def profile_year(school: School) -> AcademicYear | None:
    from licheng.schools.selectors import current_term

    term = current_term(school)
    if term is not None:
        return term.academic_year
    return AcademicYear.objects.filter(school=school).order_by("-year").first()


def check_profiles(school: School, rows: list[Row], present: list[str]) -> Checked:
    result = sheets.parse_cells(PROFILE_COLUMNS, rows, present)
    students: dict[str, tuple[int, int | None, int | None]] = {}
    sealed: set[str] = set()
    for pk, number, class_id, seat, sealed_at in Student.objects.filter(school=school).values_list(
        "pk", "student_number", "school_class_id", "seat", "sealed_at"
    ):
        students[number] = (pk, class_id, seat)
        if sealed_at is not None:
            sealed.add(number)
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
        if found and number in sealed:
            result.add(row.line, "student_number", sealed_message(number))
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
        for field in roster_codes.ROSTER_FIELDS:
            if field.name in present and values[field.name] is None and field.kind not in ("year", "date"):
                values[field.name] = ""  # a blank cell clears the code
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
            seat_class: int | None = values.get("school_class_id")
            if seat_class is None and "class_name" not in present and values["student_id"]:
                seat_class = students[values["student_number"]][1]
            holder = taken.get((seat_class, values["seat"]))  # type: ignore[arg-type]
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
