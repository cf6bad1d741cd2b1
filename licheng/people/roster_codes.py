"""The student roster codes of the central database (學生資料名冊, FORMATS.md §1): 群別代碼, 科班學程別代碼,
班別, 特殊身分別, the indigenous fields, 實驗班名稱 and 入學方式. One table of the fields and one set of
checks, used by the student form (through ``people.services``) and the profile import alike."""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import Any

from django.utils.translation import gettext as _

from licheng.schools import rocdate

CODE_CHARS = re.compile(r"^[0-9A-Z]+$")
_SEPARATORS = re.compile(r"[\s,，、;；]+")
FIRST_EXAM_YEAR = 90  # ROC year; the indigenous-language certification exam dates from 2001 (90)


class RosterValueError(ValueError):
    """A roster value is wrong; the message is already in the user's language."""


@dataclasses.dataclass(frozen=True)
class RosterField:
    name: str  # the Student field
    header: str  # the central database's column name
    kind: str  # code, codes, text, year or date
    max_length: int = 0


ROSTER_FIELDS: tuple[RosterField, ...] = (
    RosterField("group_code", "群別代碼", "code", 4),
    RosterField("programme_code", "科班學程別代碼", "code", 6),
    RosterField("class_type", "班別", "code", 4),
    RosterField("special_statuses", "特殊身分別", "codes", 60),
    RosterField("indigenous_ethnicity", "原住民族別", "code", 4),
    RosterField("indigenous_status", "原住民身分別", "code", 4),
    RosterField("indigenous_language_dialect", "族語認證報考方言", "text", 20),
    RosterField("indigenous_language_exam_year", "報考年度", "year"),
    RosterField("indigenous_language_valid_until", "族語認證有效日期", "date"),
    RosterField("experimental_class", "實驗班名稱", "text", 60),
    RosterField("admission_route", "入學方式", "code", 4),
)
ROSTER_FIELD_NAMES = tuple(f.name for f in ROSTER_FIELDS)
BY_NAME = {f.name: f for f in ROSTER_FIELDS}


def code(value: str, limit: int) -> str:
    """A code of up to ``limit`` digits or letters (upper-cased); blank stays blank."""
    return _code(value, limit) if (value or "").strip() else ""


def _code(value: str, limit: int) -> str:
    code = value.strip().upper()
    if len(code) > limit or not CODE_CHARS.match(code):
        raise RosterValueError(
            _("Write a code of up to %(limit)s digits or letters, not “%(value)s”.")
            % {"limit": limit, "value": value[:30]}
        )
    return code


def _codes(value: str, limit: int) -> str:
    codes = [c for c in _SEPARATORS.split(value.strip().upper()) if c]
    joined = ",".join(dict.fromkeys(codes))
    if any(len(c) > 4 or not CODE_CHARS.match(c) for c in codes) or len(joined) > limit:
        raise RosterValueError(
            _("Write codes of up to 4 digits or letters separated by commas, such as 1,5, not “%(value)s”.")
            % {"value": value[:30]}
        )
    return joined


def _text(value: str, limit: int) -> str:
    text = value.strip()
    if len(text) > limit:
        raise RosterValueError(_("At most %(limit)s characters.") % {"limit": limit})
    if any(ord(c) < 32 for c in text):
        raise RosterValueError(_("Remove the control characters (such as line breaks)."))
    return text


def check_exam_year(year: int, today: datetime.date | None = None) -> int:
    latest = rocdate.to_roc_year(today or datetime.date.today()) + 1
    if not FIRST_EXAM_YEAR <= year <= latest:
        raise RosterValueError(
            _("The exam year is an ROC year from %(low)s to %(high)s, such as 113, not “%(value)s”.")
            % {"low": FIRST_EXAM_YEAR, "high": latest, "value": year}
        )
    return year


def parse(field: RosterField, text: str) -> Any:
    """A cell or form text as the field's value (blank → empty text or ``None``)."""
    text = (text or "").strip()
    if not text:
        return None if field.kind in ("year", "date") else ""
    if field.kind == "code":
        return _code(text, field.max_length)
    if field.kind == "codes":
        return _codes(text, field.max_length)
    if field.kind == "text":
        return _text(text, field.max_length)
    if field.kind == "year":
        if not re.fullmatch(r"\d{1,3}(\.0+)?", text):
            raise RosterValueError(
                _("The exam year is an ROC year such as 113, not “%(value)s”.") % {"value": text[:20]}
            )
        return check_exam_year(int(float(text)))
    try:
        return rocdate.parse_roc(text)
    except rocdate.RocDateError as error:
        raise RosterValueError(str(error)) from None


def clean(name: str, value: Any) -> Any:
    """A value given to the service (text, or int/date for the year and date fields), checked."""
    field = BY_NAME[name]
    if field.kind == "year":
        return None if value in (None, "") else check_exam_year(int(value))
    if field.kind == "date":
        if value in (None, ""):
            return None
        if isinstance(value, datetime.date):
            return value
        return parse(field, str(value))
    return parse(field, "" if value is None else str(value))


def verbose_name(name: str) -> Any:
    """The Student field's (lazy, translated) name."""
    from django.db.models import Field

    from licheng.people.models import Student

    field = Student._meta.get_field(name)
    assert isinstance(field, Field)
    return field.verbose_name


def label(name: str) -> str:
    return str(verbose_name(name))


def display(student: Any) -> list[tuple[str, str]]:
    """(label, shown value) of each roster field, for the student's page."""
    shown = []
    for field in ROSTER_FIELDS:
        value = getattr(student, field.name)
        if field.kind == "date":
            text = rocdate.format_roc(value) if value else ""
        else:
            text = "" if value is None else str(value)
        shown.append((label(field.name), text or "—"))
    return shown
