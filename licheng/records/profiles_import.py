"""Student profiles (updates of existing students): columns and the upload check."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from licheng.core import spreadsheets as sheets
from licheng.core.spreadsheets import Checked, Column, Row
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
