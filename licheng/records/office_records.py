"""Office-entered learning records (seed 000 §5(4)): flexible learning time, service learning, group
activity time, certificates, competitions and internship cadres.

Each kind is an ``OfficeKind``: the performance kind it becomes (DOMAIN.md §5), its spreadsheet
columns (keys are the performance's field keys, so ``performances.kinds.clean_fields`` checks them),
the fields of its natural key, where its academic year comes from, and the offices that enter it.
Checking an upload never writes; ``office_services`` writes."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from licheng.core import spreadsheets as sheets
from licheng.core.errors import ServiceError
from licheng.core.spreadsheets import Checked, Column, Row
from licheng.people.roles import Role
from licheng.performances.kinds import Kind, clean_fields
from licheng.records.office_models import OfficeRecordKind
from licheng.records.student_lookup import student_lookup
from licheng.schools import rocdate
from licheng.schools.models import AcademicYear, School

STUDENT = Column("student_number", "學號", gettext_lazy("Student number"), aliases=("student number", "student no"))
TERM = Column("term", "學年期", gettext_lazy("Term"), parse=sheets.term, aliases=("term", "學期", "學年度學期"))
DESCRIPTION = Column(
    "description",
    "簡述",
    gettext_lazy("Description"),
    parse=sheets.text(500),
    required=False,
    blank=True,
    aliases=("description", "內容簡述"),
)


def _text(key: str, header: str, label: Any, *aliases: str, limit: int = 100, optional: bool = False) -> Column:
    return Column(
        key, header, label, parse=sheets.text(limit), required=not optional, blank=optional, aliases=(key, *aliases)
    )


def _date(key: str, header: str, label: Any, *aliases: str, optional: bool = False) -> Column:
    return Column(
        key, header, label, parse=sheets.roc_date, required=not optional, blank=optional, aliases=(key, *aliases)
    )


def _int(key: str, header: str, label: Any, *aliases: str) -> Column:
    return Column(key, header, label, parse=sheets.integer(0, 9999), aliases=(key, *aliases))


@dataclasses.dataclass(frozen=True)
class OfficeKind:
    key: str
    label: Any
    performance_kind: int
    columns: tuple[Column, ...]  # every column of the spreadsheet, in order
    key_fields: tuple[str, ...]  # the natural key (field keys of the performance)
    year_field: str  # "term" or the date field whose academic year the record belongs to
    title_field: str  # the field that names the record in lists and default descriptions
    offices: tuple[str, ...]  # the offices that enter it; the first is the default
    fixed: tuple[tuple[str, str], ...] = ()  # fields always set (internship cadre: level 4)

    @property
    def field_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.key not in ("student_number", "term", "description"))


def _kinds() -> dict[str, OfficeKind]:
    k = OfficeRecordKind
    return {
        k.FLEXIBLE_LEARNING: OfficeKind(
            k.FLEXIBLE_LEARNING,
            k.FLEXIBLE_LEARNING.label,
            Kind.FLEXIBLE_LEARNING,
            (
                STUDENT,
                TERM,
                _text("flexible_kind", "彈性學習類別", gettext_lazy("Kind of flexible learning"), "類別", limit=10),
                _text("title", "名稱", pgettext_lazy("performance", "Title"), "課程名稱", "活動名稱"),
                _text("unit", "開設單位", gettext_lazy("Unit"), "單位"),
                _int("periods_per_week", "每週節數", gettext_lazy("Periods a week"), "periods a week"),
                _int("weeks", "週數", gettext_lazy("Weeks")),
                DESCRIPTION,
            ),
            ("year", "term", "title", "unit"),
            "term",
            "title",
            (Role.CURRICULUM, Role.CONTINUING_EDUCATION),
        ),
        k.SERVICE_LEARNING: OfficeKind(
            k.SERVICE_LEARNING,
            k.SERVICE_LEARNING.label,
            Kind.SERVICE_LEARNING,
            (
                STUDENT,
                _text("name", "服務名稱", gettext_lazy("Service name"), "名稱"),
                _text("organisation", "服務單位", gettext_lazy("Organisation"), "機構"),
                _date("start", "開始日期", gettext_lazy("Start date"), "start date"),
                _date("end", "結束日期", gettext_lazy("End date"), "end date"),
                Column("hours", "時數", gettext_lazy("Hours"), parse=sheets.text(10), aliases=("hours", "服務時數")),
                DESCRIPTION,
            ),
            ("name", "start"),
            "start",
            "name",
            (Role.ACTIVITIES, Role.CONTINUING_EDUCATION),
        ),
        k.GROUP_ACTIVITY: OfficeKind(
            k.GROUP_ACTIVITY,
            k.GROUP_ACTIVITY.label,
            Kind.GROUP_ACTIVITY,
            (
                STUDENT,
                TERM,
                _text("activity_kind", "團體活動類別", gettext_lazy("Kind of group activity"), "類別", limit=10),
                _text("unit", "單位名稱", gettext_lazy("Unit"), "單位"),
                _text("title", "名稱", pgettext_lazy("performance", "Title"), "活動名稱"),
                _int("periods", "節數", gettext_lazy("Periods")),
                DESCRIPTION,
            ),
            ("year", "term", "title", "unit"),
            "term",
            "title",
            (Role.ACTIVITIES, Role.CURRICULUM, Role.CONTINUING_EDUCATION),
        ),
        k.CERTIFICATE: OfficeKind(
            k.CERTIFICATE,
            k.CERTIFICATE.label,
            Kind.CERTIFICATE,
            (
                STUDENT,
                _text("certificate_code", "證照代碼", gettext_lazy("Certificate code"), "代碼", limit=20),
                _text("certificate_kind", "證照類別", gettext_lazy("Certificate kind"), "類別", limit=10),
                _text("score", "分數", gettext_lazy("Score"), limit=20, optional=True),
                _text("sub_scores", "分項結果", gettext_lazy("Sub-scores"), optional=True),
                _date("date", "取得日期", pgettext_lazy("event", "Date"), "日期"),
                _text("certificate_number", "證照字號", gettext_lazy("Certificate number"), limit=50, optional=True),
                _text("group", "組別", gettext_lazy("Group"), limit=50, optional=True),
                DESCRIPTION,
            ),
            ("certificate_code", "date"),
            "date",
            "certificate_code",
            (Role.INTERNSHIP, Role.CONTINUING_EDUCATION),
        ),
        k.COMPETITION: OfficeKind(
            k.COMPETITION,
            k.COMPETITION.label,
            Kind.COMPETITION,
            (
                STUDENT,
                _text("name", "競賽名稱", gettext_lazy("Competition name"), "名稱"),
                _text("event", "項目", gettext_lazy("Event"), "競賽項目"),
                _text("level", "競賽等級", gettext_lazy("Level"), "等級", limit=10),
                _text("award", "獎項", gettext_lazy("Award"), "得獎名次"),
                _date("result_date", "結果公布日期", gettext_lazy("Result date"), "日期"),
                _text("participation", "參與型態", gettext_lazy("Individual or team"), "個人或團體", limit=10),
                DESCRIPTION,
            ),
            ("name", "event", "result_date"),
            "result_date",
            "name",
            (Role.INTERNSHIP, Role.CONTINUING_EDUCATION),
        ),
        k.INTERNSHIP_CADRE: OfficeKind(
            k.INTERNSHIP_CADRE,
            k.INTERNSHIP_CADRE.label,
            Kind.CADRE,
            (
                STUDENT,
                _text("unit", "單位名稱", gettext_lazy("Unit"), "單位"),
                _date("start", "開始日期", gettext_lazy("Start date"), "start date"),
                _date("end", "結束日期", gettext_lazy("End date"), "end date", optional=True),
                _text("post", "擔任職務", gettext_lazy("Post"), "職務"),
                DESCRIPTION,
            ),
            ("unit", "post", "start"),
            "start",
            "post",
            (Role.INTERNSHIP, Role.CONTINUING_EDUCATION),
            fixed=(("level", "4"),),
        ),
    }


OFFICE_KINDS: dict[str, OfficeKind] = _kinds()
PERMISSION = "performances.record"


def to_raw(spec: OfficeKind, values: dict[str, Any]) -> dict[str, Any]:
    """Parsed cells (dates as dates, term as a pair) → the performance's raw fields."""
    raw: dict[str, Any] = dict(spec.fixed)
    for column in spec.field_columns:
        value = values.get(column.key)
        raw[column.key] = value.isoformat() if isinstance(value, datetime.date) else value
    if spec.year_field == "term" and values.get("term"):
        raw["year"], raw["term"] = values["term"][0], str(values["term"][1])
    return raw


def academic_year_of(spec: OfficeKind, fields: dict[str, Any]) -> int:
    if spec.year_field == "term":
        return int(fields["year"])
    return rocdate.academic_year_of(datetime.date.fromisoformat(fields[spec.year_field]))


def natural_key(spec: OfficeKind, fields: dict[str, Any]) -> str:
    return "|".join(str(fields.get(name, "")) for name in spec.key_fields)


def default_description(spec: OfficeKind, fields: dict[str, Any]) -> str:
    return f"{spec.label}：{fields.get(spec.title_field, '')}"[:100]


def clean(spec: OfficeKind, raw: dict[str, Any], codes: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The performance's checked fields; raises ``ServiceError`` naming the field."""
    return clean_fields(spec.performance_kind, raw, codes)


def field_column(spec: OfficeKind, field: str | None) -> str:
    if field in ("year", "term") and spec.year_field == "term":
        return "term"
    if field and any(c.key == field for c in spec.columns):
        return field
    return spec.field_columns[0].key


def checker(spec: OfficeKind) -> Callable[[School, list[Row], list[str]], Checked]:
    def check(school: School, rows: list[Row], present: list[str]) -> Checked:
        from licheng.performances.selectors import codes_for

        result = sheets.parse_cells(spec.columns, rows, present)
        students = student_lookup(school)
        codes = codes_for(school)
        years = set(AcademicYear.objects.filter(school=school).values_list("year", flat=True))
        for row in rows:
            values = result.values[row.line]
            values["student_id"] = students.resolve(values["student_number"], row.line, result)
            if any(result.has_error(row.line, c.key) for c in spec.columns):
                values["fields"] = None
                continue
            try:
                fields = clean(spec, to_raw(spec, values), codes)
            except ServiceError as error:
                result.add(row.line, field_column(spec, error.field), error.message)
                values["fields"] = None
                continue
            year = academic_year_of(spec, fields)
            if year not in years:
                result.add(
                    row.line,
                    "term" if spec.year_field == "term" else spec.year_field,
                    _("The school has no academic year %(year)s in its calendar.") % {"year": year},
                )
            values["fields"], values["academic_year"] = fields, year
            values["key"] = natural_key(spec, fields)

        def key(row: Row) -> tuple[Any, ...] | None:
            v = result.values[row.line]
            return (v["student_id"], v["key"]) if v.get("fields") and v["student_id"] else None

        sheets.duplicates(rows, key, result, spec.field_columns[0].key, _("Same student and record as line %(lines)s."))
        result.sort(spec.columns)
        return result

    return check


def export_row(spec: OfficeKind, record: Any) -> list[Any]:
    """One record in the kind's column order (dates back to ROC), so an export imports back."""
    fields = record.performance.fields
    row: list[Any] = []
    for column in spec.columns:
        if column.key == "student_number":
            row.append(record.student.student_number)
        elif column.key == "term":
            row.append(rocdate.term_label(int(fields["year"]), int(fields["term"])))
        elif column.key == "description":
            row.append(record.performance.description)
        else:
            value = fields.get(column.key, "")
            if value and column.parse is sheets.roc_date:
                value = rocdate.format_roc(datetime.date.fromisoformat(value))
            row.append(value)
    return row


def record_types() -> dict[str, Any]:
    from licheng.records.importers import RecordType

    return {
        key: RecordType(key, spec.label, spec.columns, PERMISSION, 5_000, checker(spec))
        for key, spec in OFFICE_KINDS.items()
    }
