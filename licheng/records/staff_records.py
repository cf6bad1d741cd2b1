"""Cadre roles (幹部經歷), attendance (出缺勤) and rewards/penalties (獎懲): their spreadsheet
columns, the checks of an uploaded file (no writes), the writers the import applies, and export
rows. Each type is described by a ``Kind`` so that pages, API and import share one definition."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licheng.core import spreadsheets as sheets
from licheng.core.spreadsheets import Checked, Column, Row
from licheng.records.career_models import CareerExploration
from licheng.records.career_records import career_columns, career_row
from licheng.records.models import (
    AttendanceKind,
    AttendanceRecord,
    CadreLevel,
    CadreRole,
    RewardPenalty,
    RewardPenaltyKind,
)
from licheng.records.student_lookup import student_lookup
from licheng.schools import rocdate
from licheng.schools.models import School

STUDENT_COLUMN = Column(
    "student_number", "學號", gettext_lazy("Student number"), aliases=("student number", "student no")
)
TERM_COLUMN = Column("term", "學年期", gettext_lazy("Term"), parse=sheets.term, aliases=("term", "學期", "學年度學期"))

CADRE_LEVEL_NAMES: dict[str, int] = {
    "1": CadreLevel.SCHOOL,
    "校級": CadreLevel.SCHOOL,
    "school": CadreLevel.SCHOOL,
    "2": CadreLevel.CLASS,
    "班級": CadreLevel.CLASS,
    "class": CadreLevel.CLASS,
    "3": CadreLevel.CLUB,
    "社團": CadreLevel.CLUB,
    "club": CadreLevel.CLUB,
    "4": CadreLevel.INTERNSHIP,
    "實習": CadreLevel.INTERNSHIP,
    "internship": CadreLevel.INTERNSHIP,
    "5": CadreLevel.EXTERNAL,
    "校外": CadreLevel.EXTERNAL,
    "external": CadreLevel.EXTERNAL,
    "9": CadreLevel.OTHER,
    "其他": CadreLevel.OTHER,
    "other": CadreLevel.OTHER,
}
ATTENDANCE_NAMES: dict[str, str] = {
    "事假": AttendanceKind.PERSONAL,
    "personal": AttendanceKind.PERSONAL,
    "病假": AttendanceKind.SICK,
    "sick": AttendanceKind.SICK,
    "公假": AttendanceKind.OFFICIAL,
    "official": AttendanceKind.OFFICIAL,
    "喪假": AttendanceKind.FUNERAL,
    "funeral": AttendanceKind.FUNERAL,
    "曠課": AttendanceKind.TRUANCY,
    "truancy": AttendanceKind.TRUANCY,
    "遲到": AttendanceKind.LATE,
    "late": AttendanceKind.LATE,
}
ATTENDANCE_EXPORT = {v: k for k, v in list(ATTENDANCE_NAMES.items())[::2]}
REWARD_NAMES: dict[str, str] = {
    "嘉獎": RewardPenaltyKind.COMMENDATION,
    "commendation": RewardPenaltyKind.COMMENDATION,
    "小功": RewardPenaltyKind.MINOR_MERIT,
    "minor merit": RewardPenaltyKind.MINOR_MERIT,
    "大功": RewardPenaltyKind.MAJOR_MERIT,
    "major merit": RewardPenaltyKind.MAJOR_MERIT,
    "警告": RewardPenaltyKind.WARNING,
    "warning": RewardPenaltyKind.WARNING,
    "小過": RewardPenaltyKind.MINOR_DEMERIT,
    "minor demerit": RewardPenaltyKind.MINOR_DEMERIT,
    "大過": RewardPenaltyKind.MAJOR_DEMERIT,
    "major demerit": RewardPenaltyKind.MAJOR_DEMERIT,
}
REWARD_EXPORT = {v: k for k, v in list(REWARD_NAMES.items())[::2]}

CADRE_COLUMNS: tuple[Column, ...] = (
    STUDENT_COLUMN,
    TERM_COLUMN,
    Column("unit", "單位名稱", gettext_lazy("Unit"), parse=sheets.text(60), aliases=("unit", "單位")),
    Column("starts_on", "開始日期", gettext_lazy("Start date"), parse=sheets.roc_date, aliases=("start", "start date")),
    Column("ends_on", "結束日期", gettext_lazy("End date"), parse=sheets.roc_date, aliases=("end", "end date")),
    Column("post", "擔任職務", gettext_lazy("Post"), parse=sheets.text(60), aliases=("post", "職務", "職稱")),
    Column(
        "level",
        "幹部等級",
        gettext_lazy("Cadre level"),
        parse=sheets.choice(CADRE_LEVEL_NAMES, "1 校級、2 班級、3 社團、4 實習、5 校外、9 其他"),
        aliases=("level", "等級", "幹部類別"),
    ),
)
ATTENDANCE_COLUMNS: tuple[Column, ...] = (
    STUDENT_COLUMN,
    TERM_COLUMN,
    Column(
        "kind",
        "假別",
        gettext_lazy("Absence kind"),
        parse=sheets.choice(ATTENDANCE_NAMES, "事假、病假、公假、喪假、曠課、遲到"),
        aliases=("kind", "類別", "缺勤類別"),
    ),
    Column("periods", "節數", gettext_lazy("Periods"), parse=sheets.integer(0, 2000), aliases=("periods", "次數")),
    Column(
        "occurred_on",
        "日期",
        gettext_lazy("Date"),
        parse=sheets.roc_date,
        required=False,
        blank=True,
        aliases=("date",),
    ),
)
REWARD_COLUMNS: tuple[Column, ...] = (
    STUDENT_COLUMN,
    TERM_COLUMN,
    Column(
        "kind",
        "獎懲類別",
        gettext_lazy("Reward or penalty"),
        parse=sheets.choice(REWARD_NAMES, "嘉獎、小功、大功、警告、小過、大過"),
        aliases=("kind", "類別", "獎懲"),
    ),
    Column("count", "次數", gettext_lazy("Count"), parse=sheets.integer(1, 99), aliases=("count",)),
    Column("reason", "事由", gettext_lazy("Reason"), parse=sheets.text(200), aliases=("reason", "獎懲事由")),
    Column(
        "decided_on",
        "核定日期",
        gettext_lazy("Decision date"),
        parse=sheets.roc_date,
        aliases=("decision date", "日期"),
    ),
)


@dataclasses.dataclass(frozen=True)
class Kind:
    key: str  # also the import record type
    label: Any
    model: type[models.Model]
    permission: str
    columns: tuple[Column, ...]
    key_fields: tuple[str, ...]  # the natural key, after ``student``/``academic_year``/``term``
    value_fields: tuple[str, ...]
    duplicate_message: Any
    export_row: Callable[[Any], list[Any]]
    extra_check: Callable[[dict[str, Any], int, Checked], None] = lambda values, line, result: None

    def natural_key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return (values["student_id"], values["academic_year"], values["term"], *(values[f] for f in self.key_fields))

    def object_key(self, obj: Any) -> tuple[Any, ...]:
        return (obj.student_id, obj.academic_year, obj.term, *(getattr(obj, f) for f in self.key_fields))


def _cadre_dates(values: dict[str, Any], line: int, result: Checked) -> None:
    start, end = values.get("starts_on"), values.get("ends_on")
    if start and end and end < start:
        result.add(line, "ends_on", _("The end date is before the start date."))


def _cadre_row(role: CadreRole) -> list[Any]:
    return [
        role.student.student_number,
        role.term_label,
        role.unit,
        rocdate.format_roc(role.starts_on),
        rocdate.format_roc(role.ends_on),
        role.post,
        role.level,
    ]


def _attendance_row(entry: AttendanceRecord) -> list[Any]:
    return [
        entry.student.student_number,
        entry.term_label,
        ATTENDANCE_EXPORT.get(entry.kind, entry.kind),
        entry.periods,
        rocdate.format_roc(entry.occurred_on) if entry.occurred_on else "",
    ]


def _reward_row(entry: RewardPenalty) -> list[Any]:
    return [
        entry.student.student_number,
        entry.term_label,
        REWARD_EXPORT.get(entry.kind, entry.kind),
        entry.count,
        entry.reason,
        rocdate.format_roc(entry.decided_on),
    ]


KINDS: dict[str, Kind] = {
    "cadre_roles": Kind(
        "cadre_roles",
        gettext_lazy("Cadre roles"),
        CadreRole,
        "records.manage_cadre_roles",
        CADRE_COLUMNS,
        ("unit", "post"),
        ("level", "starts_on", "ends_on"),
        gettext_lazy("Same student, term, unit and post as line %(lines)s."),
        _cadre_row,
        _cadre_dates,
    ),
    "attendance": Kind(
        "attendance",
        gettext_lazy("Attendance"),
        AttendanceRecord,
        "records.manage_discipline",
        ATTENDANCE_COLUMNS,
        ("kind",),
        ("periods", "occurred_on"),
        gettext_lazy("Same student, term and absence kind as line %(lines)s."),
        _attendance_row,
    ),
    "rewards_penalties": Kind(
        "rewards_penalties",
        gettext_lazy("Rewards and penalties"),
        RewardPenalty,
        "records.manage_discipline",
        REWARD_COLUMNS,
        ("kind", "decided_on", "reason"),
        ("count",),
        gettext_lazy("Same student, term, kind, date and reason as line %(lines)s."),
        _reward_row,
    ),
    "career_exploration": Kind(
        "career_exploration",
        gettext_lazy("Career exploration"),
        CareerExploration,
        "records.manage_career",
        career_columns(STUDENT_COLUMN, TERM_COLUMN),
        ("activity_title",),
        ("group_area", "hours", "held_on"),
        gettext_lazy("Same student, term and activity title as line %(lines)s."),
        career_row,
    ),
}


def checker(kind: Kind) -> Callable[[School, list[Row], list[str]], Checked]:
    def check(school: School, rows: list[Row], present: list[str]) -> Checked:
        result = sheets.parse_cells(kind.columns, rows, present)
        students = student_lookup(school)
        for row in rows:
            values = result.values[row.line]
            values["student_id"] = students.resolve(values["student_number"], row.line, result)
            values["academic_year"], values["term"] = values["term"] or (None, None)
            kind.extra_check(values, row.line, result)

        def natural_key(row: Row) -> tuple[Any, ...] | None:
            values = result.values[row.line]
            key = kind.natural_key(values)
            return None if any(part is None for part in key[:3]) else key

        sheets.duplicates(rows, natural_key, result, kind.columns[2].key, str(kind.duplicate_message))
        result.sort(kind.columns)
        return result

    return check


def writer(kind: Kind) -> Callable[[School, list[Row], Checked, list[str], Any], dict[str, int]]:
    """Create new rows, update changed ones (a changed cadre role loses its verification)."""

    def write(school: School, rows: list[Row], checked: Checked, present: list[str], actor: Any) -> dict[str, int]:
        values = [checked.values[row.line] for row in rows]
        student_ids = sorted({v["student_id"] for v in values})
        existing: dict[tuple[Any, ...], Any] = {}
        manager = kind.model._default_manager
        for start in range(0, len(student_ids), 500):
            for obj in manager.filter(school=school, student_id__in=student_ids[start : start + 500]):
                existing[kind.object_key(obj)] = obj
        from licheng.audit.services import RowChange, diff, snapshot
        from licheng.records.services import ROW_CHANGES

        created, changed = [], []
        row_changes: list[RowChange] = []
        now = timezone.now()
        fields = [f for f in kind.value_fields if f in present or f in ("periods", "count", "level")]
        for v in values:
            found = existing.get(kind.natural_key(v))
            if found is None:
                data = {f: v[f] for f in kind.value_fields}
                obj = kind.model(
                    school=school,
                    student_id=v["student_id"],
                    academic_year=v["academic_year"],
                    term=v["term"],
                    **{f: v[f] for f in kind.key_fields},
                    **data,
                )
                created.append(obj)
            elif any(getattr(found, f) != v[f] for f in fields):
                watched = [*fields, "verified_at"] if isinstance(found, CadreRole) else fields
                before = snapshot(found, watched)
                for f in fields:
                    setattr(found, f, v[f])
                found.updated_at = now
                if isinstance(found, CadreRole):
                    found.verified_at = None
                    found.verified_by = None
                changed.append(found)
                row_changes.append(RowChange(found, diff(before, snapshot(found, watched))))
        manager.bulk_create(created, batch_size=1000)
        update_fields = [*fields, "updated_at"]
        if kind.model is CadreRole:
            update_fields += ["verified_at", "verified_by"]
        manager.bulk_update(changed, update_fields, batch_size=500)
        return {
            "created": len(created),
            "updated": len(changed),
            "unchanged": len(values) - len(created) - len(changed),
            ROW_CHANGES: row_changes,  # type: ignore[dict-item]
        }

    return write


def record_types() -> dict[str, Any]:
    from licheng.records.importers import RecordType

    return {
        key: RecordType(key, kind.label, kind.columns, kind.permission, 20_000, checker(kind))
        for key, kind in KINDS.items()
    }


WRITERS = {key: writer(kind) for key, kind in KINDS.items()}
