"""ROC (民國) dates and terms: the one place that turns them into text and back.

Shown to people as ``112.02.10``; the central database writes 7 digits ``1120210`` (a birth date
``0800116``). Parsing accepts ``112.02.10``, ``112/2/10``, ``112-2-10``, ``1120210`` and ``0800116``.
An academic year (學年度) starts on 1 August; term 1 runs August–January, term 2 February–July.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.utils.translation import gettext as _

ROC_OFFSET = 1911
MIN_ROC_YEAR = 1
MAX_ROC_YEAR = 200

# One separator, used twice: ``112.2/10`` is a typing slip, not a date.
_SEPARATED = re.compile(r"^\s*(\d{1,3})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{1,2})\s*$", re.ASCII)
_WESTERN = re.compile(r"^\s*(\d{4})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{1,2})\s*$", re.ASCII)
_COMPACT = re.compile(r"^\s*(\d{3})(\d{2})(\d{2})\s*$", re.ASCII)
_TERM_PATTERNS = (
    re.compile(r"^\s*(\d{2,3})\s*-\s*([12])\s*$", re.ASCII),  # 111-1
    re.compile(r"^\s*(\d{3})([12])\s*$", re.ASCII),  # 1111
    re.compile(r"^\s*(\d{2,3})\s*學年度\s*第\s*([12一二])\s*學期\s*$", re.ASCII),  # 111學年度第1學期
)


class RocDateError(ValueError):
    """A text that is not a real ROC date; the message is in the user's language."""


def to_roc_year(day: datetime.date) -> int:
    return day.year - ROC_OFFSET


def format_roc(day: datetime.date | None, separator: str = ".") -> str:
    """``datetime.date(2023, 2, 10)`` → ``112.02.10``; ``None`` → empty text."""
    if day is None:
        return ""
    year = to_roc_year(day)
    if year < MIN_ROC_YEAR:
        raise RocDateError(_("%(date)s is before the ROC calendar (1912).") % {"date": day.isoformat()})
    return f"{year}{separator}{day.month:02d}{separator}{day.day:02d}"


def format_roc_compact(day: datetime.date) -> str:
    """The central database's 7 digits: ``1120210``, ``0800116``."""
    year = to_roc_year(day)
    if not MIN_ROC_YEAR <= year <= 999:
        raise RocDateError(_("%(date)s cannot be written as a 7-digit ROC date.") % {"date": day.isoformat()})
    return f"{year:03d}{day.month:02d}{day.day:02d}"


def parse_roc(text: str) -> datetime.date:
    """Read an ROC date written by a person or a central-database file."""
    if not isinstance(text, str) or not text.strip():
        raise RocDateError(_("Enter a date such as 112.02.10."))
    text = _normalise(text)
    match = _SEPARATED.match(text) or _COMPACT.match(text)
    if match is None:
        western = _WESTERN.match(text)
        if western and int(western.group(1)) > ROC_OFFSET:
            year, month, day = int(western.group(1)) - ROC_OFFSET, int(western.group(3)), int(western.group(4))
            raise RocDateError(
                _("“%(text)s” is a Western-calendar date; write the ROC year instead, such as %(roc)s.")
                % {"text": text.strip(), "roc": f"{year}.{month:02d}.{day:02d}"}
            )
        raise RocDateError(
            _("“%(text)s” is not an ROC date; write it like 112.02.10, 112/2/10 or 1120210.") % {"text": text.strip()}
        )
    parts = [part for part in match.groups() if part.isdigit()]
    year, month, day = (int(part) for part in parts)
    if not MIN_ROC_YEAR <= year <= MAX_ROC_YEAR:
        raise RocDateError(
            _("Year %(year)d is out of range; ROC years run from %(low)d to %(high)d.")
            % {"year": year, "low": MIN_ROC_YEAR, "high": MAX_ROC_YEAR}
        )
    if not 1 <= month <= 12:
        raise RocDateError(_("Month %(month)d does not exist in “%(text)s”.") % {"month": month, "text": text.strip()})
    try:
        return datetime.date(year + ROC_OFFSET, month, day)
    except ValueError:
        raise RocDateError(
            _("%(year)d.%(month)02d has no day %(day)d.") % {"year": year, "month": month, "day": day}
        ) from None


def _normalise(text: str) -> str:
    """Full-width digits and punctuation typed with a Chinese input method (``１１２．０２．１０``)
    become their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def academic_year_of(day: datetime.date) -> int:
    """The 學年度 a day belongs to: 2023-08-01 → 112, 2024-07-31 → 112."""
    return to_roc_year(day) if day.month >= 8 else to_roc_year(day) - 1


def term_number_of(day: datetime.date) -> int:
    return 1 if day.month >= 8 or day.month == 1 else 2


def term_label(academic_year: int, term: int) -> str:
    """``(112, 1)`` → ``112-1``."""
    return f"{academic_year}-{term}"


def term_code(academic_year: int, term: int) -> str:
    """The central database's ``1121`` form; term 0 marks a yearly roster."""
    return f"{academic_year:03d}{term}"


def parse_term(text: str) -> tuple[int, int]:
    """``111-1``, ``1111`` or ``111學年度第1學期`` → ``(111, 1)``."""
    normalised = _normalise(text or "")
    for pattern in _TERM_PATTERNS:
        match = pattern.match(normalised)
        if match:
            year, term = match.groups()
            if not MIN_ROC_YEAR <= int(year) <= MAX_ROC_YEAR:
                break
            return int(year), {"一": 1, "二": 2}.get(term, 0) or int(term)
    raise RocDateError(_("“%(text)s” is not a term; write it like 112-1.") % {"text": (text or "").strip()})


def term_bounds(academic_year: int, term: int) -> tuple[datetime.date, datetime.date]:
    """Calendar bounds of a term: term 1 is 1 Aug–31 Jan, term 2 is 1 Feb–31 Jul."""
    start_year = academic_year + ROC_OFFSET
    if term == 1:
        return datetime.date(start_year, 8, 1), datetime.date(start_year + 1, 1, 31)
    return datetime.date(start_year + 1, 2, 1), datetime.date(start_year + 1, 7, 31)
