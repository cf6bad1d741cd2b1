"""Is a window (upload, certification, selection) open for this person today?

The answers come from the work schedule (``licheng.schedule.windows``, the one place that knows the
windows); this module keeps the names its callers use. Dates are inclusive and school-local. A
window whose dates are not set is closed. An individual extension keeps it open for that person
until its date.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from licheng.schedule import windows as schedule_windows

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import AcademicYear, Term

KINDS = ("upload", "certification", "selection")


def window_dates(kind: str, term: Term) -> tuple[datetime.date | None, datetime.date | None]:
    if kind not in KINDS:
        raise ValueError(f"unknown window {kind!r}")
    return schedule_windows.window_dates(None, kind, term)


def window_open(kind: str, term: Term, person: User | None, today: datetime.date | None = None) -> bool:
    if kind not in KINDS:
        raise ValueError(f"unknown window {kind!r}")
    return schedule_windows.window_open(kind, term, person, today)


def selection_open(academic_year: AcademicYear, person: User | None, today: datetime.date | None = None) -> bool:
    """Selection is per academic year: open while any of the year's terms has its selection window
    open (or extended) for the person."""
    return bool(schedule_windows.open_terms("selection", academic_year.terms.all(), person, today))


def open_terms(kind: str, terms: list[Term], person: User | None, today: datetime.date | None = None) -> list[Term]:
    """The terms among ``terms`` whose ``kind`` window is open for ``person`` (a fixed number of queries)."""
    if kind not in KINDS:
        raise ValueError(f"unknown window {kind!r}")
    return schedule_windows.open_terms(kind, terms, person, today)
