"""The ten kinds of performance (DOMAIN.md §5) and the fields each kind asks for.

One ``KindSpec`` per kind, written out in full so a reader sees every field in one place. Fields whose
values come from a code table (``type="code"``) take their choices from the school's editable
``PerformanceCode`` rows; the defaults below seed them. ``clean_fields`` checks a submitted dict
against a kind's spec and returns the normalised values stored in ``Performance.fields``.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_stubs_ext import StrOrPromise

from licheng.core.errors import ServiceError


class Kind(models.IntegerChoices):
    CADRE = 1, gettext_lazy("Cadre role")
    COMPETITION = 2, gettext_lazy("Competition")
    CERTIFICATE = 3, gettext_lazy("Certificate")
    SERVICE_LEARNING = 4, gettext_lazy("Service learning")
    FLEXIBLE_LEARNING = 5, gettext_lazy("Flexible learning time")
    GROUP_ACTIVITY = 6, gettext_lazy("Group activity time")
    WORKPLACE_LEARNING = 7, gettext_lazy("Workplace learning")
    WORK = 8, gettext_lazy("Work or creation")
    PRE_COLLEGE = 9, gettext_lazy("University pre-college course")
    OTHER = 10, gettext_lazy("Other performance")


class CodeTable(models.TextChoices):
    """The editable code tables (their codes come from one vendor's forms and are unverified)."""

    CADRE_LEVEL = "cadre_level", gettext_lazy("Cadre role levels")
    CERTIFICATE_KIND = "certificate_kind", gettext_lazy("Certificate kinds")
    FLEXIBLE_KIND = "flexible_kind", gettext_lazy("Flexible-learning kinds")
    GROUP_ACTIVITY_KIND = "group_activity_kind", gettext_lazy("Group-activity kinds")
    WORKPLACE_KIND = "workplace_kind", gettext_lazy("Workplace-learning kinds")


# DOMAIN.md §5, items 1, 3, 5, 6, 7.
DEFAULT_CODES: dict[str, list[tuple[str, StrOrPromise]]] = {
    CodeTable.CADRE_LEVEL: [
        ("1", gettext_lazy("School")),
        ("2", gettext_lazy("Class")),
        ("3", gettext_lazy("Club")),
        ("4", gettext_lazy("Internship")),
        ("5", gettext_lazy("External body")),
        ("9", gettext_lazy("Other")),
    ],
    CodeTable.CERTIFICATE_KIND: [
        ("1", gettext_lazy("Language")),
        ("2", gettext_lazy("Technician")),
        ("9", gettext_lazy("Other")),
    ],
    CodeTable.FLEXIBLE_KIND: [
        ("1", gettext_lazy("Self-directed learning")),
        ("2", gettext_lazy("Athlete training")),
        ("3", gettext_lazy("Enrichment")),
        ("4", gettext_lazy("Remedial teaching")),
        ("5", gettext_lazy("School feature activity")),
    ],
    CodeTable.GROUP_ACTIVITY_KIND: [
        ("1", gettext_lazy("Class activity")),
        ("2", gettext_lazy("Club activity")),
        ("3", gettext_lazy("Student council")),
        ("4", gettext_lazy("Assembly")),
        ("5", gettext_lazy("Lecture")),
        ("6", gettext_lazy("Other")),
    ],
    CodeTable.WORKPLACE_KIND: [
        ("1", gettext_lazy("Visit")),
        ("2", gettext_lazy("Internship")),
        ("3", gettext_lazy("Work experience")),
        ("4", gettext_lazy("Other")),
    ],
}

COMPETITION_LEVELS = (
    ("1", gettext_lazy("School")),
    ("2", gettext_lazy("City or county")),
    ("3", gettext_lazy("National")),
    ("4", gettext_lazy("International")),
)
PARTICIPATION = (("1", gettext_lazy("Individual")), ("2", gettext_lazy("Team")))
DOMESTIC = (("1", gettext_lazy("Domestic")), ("2", gettext_lazy("Foreign")))
TERMS = (("1", gettext_lazy("Term 1")), ("2", gettext_lazy("Term 2")))


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    key: str
    label: StrOrPromise
    type: str = "text"  # text | date | int | decimal | code | choice
    required: bool = True
    table: str = ""  # for type "code"
    choices: tuple[tuple[str, StrOrPromise], ...] = ()  # for type "choice"
    max_length: int = 100


@dataclasses.dataclass(frozen=True)
class KindSpec:
    kind: Kind
    fields: tuple[FieldSpec, ...]
    # Pairs of date fields that must be in order (start, end).
    date_ranges: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return str(self.kind.label)


def _start() -> FieldSpec:
    return FieldSpec("start", gettext_lazy("Start date"), "date")


def _end(required: bool = True) -> FieldSpec:
    return FieldSpec("end", gettext_lazy("End date"), "date", required=required)


def _hours() -> FieldSpec:
    return FieldSpec("hours", gettext_lazy("Hours"), "decimal")


KINDS: dict[int, KindSpec] = {
    Kind.CADRE: KindSpec(
        Kind.CADRE,
        (
            FieldSpec("unit", gettext_lazy("Unit")),
            _start(),
            _end(required=False),
            FieldSpec("post", gettext_lazy("Post")),
            FieldSpec("level", gettext_lazy("Level"), "code", table=CodeTable.CADRE_LEVEL),
        ),
        date_ranges=(("start", "end"),),
    ),
    Kind.COMPETITION: KindSpec(
        Kind.COMPETITION,
        (
            FieldSpec("name", gettext_lazy("Competition name")),
            FieldSpec("event", gettext_lazy("Event")),
            FieldSpec("level", gettext_lazy("Level"), "choice", choices=COMPETITION_LEVELS),
            FieldSpec("award", gettext_lazy("Award")),
            FieldSpec("result_date", gettext_lazy("Result date"), "date"),
            FieldSpec("participation", gettext_lazy("Individual or team"), "choice", choices=PARTICIPATION),
        ),
    ),
    Kind.CERTIFICATE: KindSpec(
        Kind.CERTIFICATE,
        (
            FieldSpec("certificate_code", gettext_lazy("Certificate code"), max_length=20),
            FieldSpec("certificate_kind", gettext_lazy("Certificate kind"), "code", table=CodeTable.CERTIFICATE_KIND),
            # What the national certificate table says of the code (檢定證照紀錄's 國內國外 … 級數分數).
            FieldSpec(
                "domestic_or_foreign", gettext_lazy("Domestic or foreign"), "choice", choices=DOMESTIC, required=False
            ),
            FieldSpec("certificate_category", gettext_lazy("Certificate category"), required=False, max_length=50),
            FieldSpec("issuer", gettext_lazy("Issuing body"), required=False, max_length=100),
            FieldSpec("certificate_name", gettext_lazy("Certificate name"), required=False, max_length=100),
            FieldSpec("level_score", gettext_lazy("Level or score band"), required=False, max_length=50),
            FieldSpec("score", gettext_lazy("Score"), required=False, max_length=20),
            FieldSpec("sub_scores", gettext_lazy("Sub-scores"), required=False),
            FieldSpec("date", pgettext_lazy("event", "Date"), "date"),
            FieldSpec("certificate_number", gettext_lazy("Certificate number"), required=False, max_length=50),
            FieldSpec("group", gettext_lazy("Group"), required=False, max_length=50),
        ),
    ),
    Kind.SERVICE_LEARNING: KindSpec(
        Kind.SERVICE_LEARNING,
        (
            FieldSpec("name", gettext_lazy("Service name")),
            FieldSpec("organisation", gettext_lazy("Organisation")),
            _start(),
            _end(),
            _hours(),
        ),
        date_ranges=(("start", "end"),),
    ),
    Kind.FLEXIBLE_LEARNING: KindSpec(
        Kind.FLEXIBLE_LEARNING,
        (
            FieldSpec(
                "flexible_kind", gettext_lazy("Kind of flexible learning"), "code", table=CodeTable.FLEXIBLE_KIND
            ),
            FieldSpec("title", pgettext_lazy("performance", "Title")),
            FieldSpec("unit", gettext_lazy("Unit")),
            FieldSpec("year", gettext_lazy("Academic year"), "int"),
            FieldSpec("term", gettext_lazy("Term"), "choice", choices=TERMS),
            FieldSpec("periods_per_week", gettext_lazy("Periods a week"), "int"),
            FieldSpec("weeks", gettext_lazy("Weeks"), "int"),
        ),
    ),
    Kind.GROUP_ACTIVITY: KindSpec(
        Kind.GROUP_ACTIVITY,
        (
            FieldSpec(
                "activity_kind", gettext_lazy("Kind of group activity"), "code", table=CodeTable.GROUP_ACTIVITY_KIND
            ),
            FieldSpec("unit", gettext_lazy("Unit")),
            FieldSpec("title", pgettext_lazy("performance", "Title")),
            FieldSpec("year", gettext_lazy("Academic year"), "int"),
            FieldSpec("term", gettext_lazy("Term"), "choice", choices=TERMS),
            FieldSpec("periods", gettext_lazy("Periods"), "int"),
        ),
    ),
    Kind.WORKPLACE_LEARNING: KindSpec(
        Kind.WORKPLACE_LEARNING,
        (
            FieldSpec(
                "workplace_kind", gettext_lazy("Kind of workplace learning"), "code", table=CodeTable.WORKPLACE_KIND
            ),
            FieldSpec("organisation", gettext_lazy("Organisation")),
            FieldSpec("title", pgettext_lazy("performance", "Title")),
            _start(),
            _end(),
            _hours(),
        ),
        date_ranges=(("start", "end"),),
    ),
    Kind.WORK: KindSpec(
        Kind.WORK,
        (
            FieldSpec("name", gettext_lazy("Name of the work")),
            FieldSpec("date", pgettext_lazy("event", "Date"), "date"),
        ),
    ),
    Kind.PRE_COLLEGE: KindSpec(
        Kind.PRE_COLLEGE,
        (
            FieldSpec("programme", gettext_lazy("Programme")),
            FieldSpec("provider", gettext_lazy("Provider")),
            FieldSpec("course_name", gettext_lazy("Course name")),
            _start(),
            _end(),
            FieldSpec("credits", gettext_lazy("Credits"), "decimal"),
            FieldSpec("total_hours", gettext_lazy("Total hours"), "decimal"),
        ),
        date_ranges=(("start", "end"),),
    ),
    Kind.OTHER: KindSpec(
        Kind.OTHER,
        (
            FieldSpec("name", pgettext_lazy("performance", "Name")),
            FieldSpec("organiser", gettext_lazy("Organiser")),
            _start(),
            _end(),
            _hours(),
        ),
        date_ranges=(("start", "end"),),
    ),
}


def spec_for(kind: int) -> KindSpec:
    try:
        return KINDS[int(kind)]
    except (KeyError, TypeError, ValueError):
        raise ServiceError(_("Choose one of the ten kinds of performance."), field="kind") from None


def _clean_one(spec: FieldSpec, raw: Any, codes: dict[str, dict[str, str]]) -> Any:
    """The stored value of one field, or raise ``ServiceError`` naming it."""
    text = "" if raw is None else str(raw).strip()
    label = str(spec.label)
    if not text:
        if spec.required:
            raise ServiceError(_("%(field)s is required.") % {"field": label}, field=spec.key)
        return None
    if spec.type == "text":
        if len(text) > spec.max_length:
            raise ServiceError(
                _("%(field)s can be at most %(max)d characters.") % {"field": label, "max": spec.max_length},
                field=spec.key,
            )
        return text
    if spec.type == "date":
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ServiceError(_("%(field)s must be a date.") % {"field": label}, field=spec.key) from None
    if spec.type == "int":
        try:
            number = int(text)
        except ValueError:
            raise ServiceError(_("%(field)s must be a whole number.") % {"field": label}, field=spec.key) from None
        if number < 0 or number > 9999:
            raise ServiceError(_("%(field)s is out of range.") % {"field": label}, field=spec.key)
        return number
    if spec.type == "decimal":
        try:
            amount = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise ServiceError(_("%(field)s must be a number.") % {"field": label}, field=spec.key) from None
        if not amount.is_finite() or amount < 0 or amount > 99999:
            raise ServiceError(_("%(field)s is out of range.") % {"field": label}, field=spec.key)
        return str(amount.normalize()) if amount == amount.to_integral() else str(amount)
    if spec.type == "code":
        if text not in codes.get(spec.table, {}):
            raise ServiceError(_("Choose a valid value for %(field)s.") % {"field": label}, field=spec.key)
        return text
    if spec.type == "choice":
        if text not in {value for value, _label in spec.choices}:
            raise ServiceError(_("Choose a valid value for %(field)s.") % {"field": label}, field=spec.key)
        return text
    raise AssertionError(spec.type)


def clean_fields(kind: int, raw: dict[str, Any], codes: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Check ``raw`` against the kind's fields; unknown keys are dropped. ``codes`` is table → {code: label}
    of the school's active codes."""
    spec = spec_for(kind)
    cleaned = {field.key: _clean_one(field, raw.get(field.key), codes) for field in spec.fields}
    for start, end in spec.date_ranges:
        if cleaned.get(start) and cleaned.get(end) and cleaned[end] < cleaned[start]:
            raise ServiceError(_("The end date cannot be before the start date."), field=end)
    return {key: value for key, value in cleaned.items() if value is not None}


def _roc(text: str) -> str:
    """A stored ISO date shown the ROC way (``2026-11-20`` → ``115.11.20``); other text as it is."""
    from licheng.schools import rocdate

    try:
        return rocdate.format_roc(datetime.date.fromisoformat(text))
    except (ValueError, rocdate.RocDateError):
        return text


def display_fields(kind: int, values: dict[str, Any], codes: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """(label, shown value) for each filled field, codes and choices shown by their label."""
    rows = []
    for field in spec_for(kind).fields:
        value = values.get(field.key)
        if value in (None, ""):
            continue
        shown = str(value)
        if field.type == "code":
            shown = codes.get(field.table, {}).get(shown, shown)
        elif field.type == "date":
            shown = _roc(shown)
        elif field.type == "choice":
            shown = str(dict(field.choices).get(shown, shown))
        elif field.type == "date":
            shown = _roc(shown)
        rows.append((str(field.label), shown))
    return rows
