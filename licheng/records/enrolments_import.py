"""Student course choices (選課結果): columns and the upload check."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licheng.core import spreadsheets as sheets
from licheng.core.spreadsheets import Checked, Column, Row
from licheng.courses.models import Course
from licheng.records.cells import course_code
from licheng.records.student_lookup import student_lookup
from licheng.schools.models import School

_term = sheets.term

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
    students = student_lookup(school)
    courses: dict[tuple[int, int, str], list[tuple[int, str]]] = {}
    for pk, year, number, code, class_name, group in Course.objects.filter(school=school).values_list(
        "pk", "term__academic_year__year", "term__number", "course_code", "school_class__name", "group_name"
    ):
        courses.setdefault((year, number, code), []).append((pk, class_name or group))
    for row in rows:
        values = result.values[row.line]
        values["student_id"] = students.resolve(values["student_number"], row.line, result)
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
