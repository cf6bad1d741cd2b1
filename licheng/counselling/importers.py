"""Counselling sessions from a spreadsheet (XLSX or CSV), one session per row, its students as a
list of student numbers. Checking never writes. A row whose counsellor, date, start time and
students match an existing session of that counsellor updates it, so re-importing a file does not
duplicate sessions."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licheng.core import spreadsheets as sheets
from licheng.core.spreadsheets import CellError, Checked, Column, Row
from licheng.counselling import selectors
from licheng.counselling.models import CounsellingSession, SessionKind
from licheng.people.models import Student
from licheng.people.selectors import may
from licheng.records.student_lookup import sealed_message

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School

MAX_ROWS = 2_000
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})(?::\d{2}(?:\.\d+)?)?$")
_SPLIT = re.compile(r"[\s,，、;；]+")


def time_of_day(value: str) -> datetime.time:
    match = _TIME.match(value.strip())
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return datetime.time(int(match.group(1)), int(match.group(2)))
    raise CellError(_("Write a time such as 14:30, not “%(value)s”.") % {"value": value[:20]})


def student_numbers(value: str) -> list[str]:
    numbers = [n for n in _SPLIT.split(value.strip()) if n]
    if not numbers:
        raise CellError(_("This cell must not be empty."))
    if any(len(n) > 20 for n in numbers):
        raise CellError(_("“%(value)s” is not a student number.") % {"value": value[:30]})
    return list(dict.fromkeys(numbers))


KIND_NAMES = {
    "個別": SessionKind.INDIVIDUAL,
    "個別諮詢": SessionKind.INDIVIDUAL,
    "individual": SessionKind.INDIVIDUAL,
    "團體": SessionKind.GROUP,
    "團體諮詢": SessionKind.GROUP,
    "group": SessionKind.GROUP,
}

COLUMNS: tuple[Column, ...] = (
    Column("held_on", "日期", gettext_lazy("date"), parse=sheets.roc_date, aliases=("date", "諮詢日期")),
    Column(
        "starts_at",
        "開始時間",
        gettext_lazy("starts at"),
        parse=time_of_day,
        required=False,
        blank=True,
        aliases=("starts at", "start"),
    ),
    Column(
        "ends_at",
        "結束時間",
        gettext_lazy("ends at"),
        parse=time_of_day,
        required=False,
        blank=True,
        aliases=("ends at", "end"),
    ),
    Column(
        "kind",
        "諮詢類型",
        gettext_lazy("kind of session"),
        parse=sheets.choice(KIND_NAMES, "個別、團體"),
        required=False,
        blank=True,
        aliases=("kind", "類型"),
    ),
    Column(
        "place", "地點", gettext_lazy("place"), parse=sheets.text(100), required=False, blank=True, aliases=("place",)
    ),
    Column(
        "student_numbers",
        "學號",
        gettext_lazy("Student number"),
        parse=student_numbers,
        aliases=("student number", "student numbers"),
    ),
    Column("names", "姓名", gettext_lazy("participants"), required=False, blank=True, aliases=("name", "names")),
    Column("content", "諮詢內容", gettext_lazy("content"), parse=sheets.text(5000), aliases=("content", "內容")),
    Column(
        "advice",
        "建議",
        gettext_lazy("advice"),
        parse=sheets.text(5000),
        required=False,
        blank=True,
        aliases=("advice", "建議事項"),
    ),
    Column("counsellor", "諮詢教師", gettext_lazy("counsellor"), required=False, blank=True, aliases=("counsellor",)),
)


def session_key(counsellor_id: int, values: dict[str, Any], student_ids: list[int]) -> tuple[Any, ...]:
    return (counsellor_id, values["held_on"], values.get("starts_at"), tuple(sorted(student_ids)))


def check(user: User, school: School, rows: list[Row], present: list[str]) -> tuple[Checked, dict[int, Any]]:
    """Cell checks, then the database: every student number of this school and of the importer's
    classes; one student for an individual session; end after start; no row repeated. Returns the
    result and, per good line, ``(values, students, existing session or None)``."""
    checked = sheets.parse_cells(COLUMNS, rows, present)
    numbers = {n for v in checked.values.values() for n in (v.get("student_numbers") or [])}
    found = {s.student_number: s for s in Student.objects.filter(school=school, student_number__in=numbers)}
    allowed = set(
        selectors.recordable_students(user, school)
        .filter(pk__in=[s.pk for s in found.values()])
        .values_list("pk", flat=True)
    )
    manage = may(user, school, "counselling.manage")
    existing: dict[tuple[Any, ...], CounsellingSession] = {}
    dates = {v["held_on"] for v in checked.values.values() if v.get("held_on")}
    for session in CounsellingSession.objects.filter(
        school=school, counsellor=user, held_on__in=dates
    ).prefetch_related("participant_rows"):
        ids = [row.student_id for row in session.participant_rows.all()]
        existing[(user.pk, session.held_on, session.starts_at, tuple(sorted(ids)))] = session
    plan: dict[int, Any] = {}
    keys: dict[tuple[Any, ...], int] = {}
    for row in rows:
        line, values = row.line, checked.values[row.line]
        students: list[Student] = []
        for number in values.get("student_numbers") or []:
            student = found.get(number)
            if student is None:
                checked.add(
                    line, "student_numbers", _("No student with number %(value)s in this school.") % {"value": number}
                )
            elif student.sealed_at is not None:
                checked.add(line, "student_numbers", sealed_message(number))
            elif not manage and student.pk not in allowed:
                checked.add(
                    line, "student_numbers", _("%(names)s is not in a class you counsel.") % {"names": student.name}
                )
            else:
                students.append(student)
        kind = values.get("kind") or (
            SessionKind.GROUP if len(values.get("student_numbers") or []) > 1 else SessionKind.INDIVIDUAL
        )
        values["kind"] = kind
        if kind == SessionKind.INDIVIDUAL and len(values.get("student_numbers") or []) > 1:
            checked.add(line, "kind", _("An individual session has exactly one student."))
        starts, ends = values.get("starts_at"), values.get("ends_at")
        if starts and ends and ends <= starts:
            checked.add(line, "ends_at", _("The session must end after it starts."))
        if values.get("held_on") and students and len(students) == len(values.get("student_numbers") or []):
            key = session_key(user.pk, values, [s.pk for s in students])
            if key in keys:
                checked.add(
                    line, "held_on", _("Same date, time and students as line %(lines)s.") % {"lines": keys[key]}
                )
            keys.setdefault(key, line)
            plan[line] = (values, students, existing.get(key))
    checked.sort(COLUMNS)
    return checked, plan
