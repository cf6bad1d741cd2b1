"""Is a window (upload, certification, selection) open for this person today?

One function answers it for the whole app; the schedule capability will later replace its inside.
Dates are inclusive and school-local (Asia/Taipei, ``timezone.localdate``). A window whose dates
are not set is closed. An individual extension keeps it open for that person until its date.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import AcademicYear, Term

KINDS = ("upload", "certification", "selection")


def window_dates(kind: str, term: Term) -> tuple[datetime.date | None, datetime.date | None]:
    if kind not in KINDS:
        raise ValueError(f"unknown window {kind!r}")
    return getattr(term, f"{kind}_opens_on"), getattr(term, f"{kind}_closes_on")


def window_open(kind: str, term: Term, person: User | None, today: datetime.date | None = None) -> bool:
    from licheng.portfolio.models import WindowExtension

    day = today or timezone.localdate()
    opens, closes = window_dates(kind, term)
    if opens is not None and closes is not None and opens <= day <= closes:
        return True
    if person is None:
        return False
    return WindowExtension.objects.filter(
        school_id=term.school_id, user=person, kind=kind, term=term, until__gte=day
    ).exists()


def selection_open(academic_year: AcademicYear, person: User | None, today: datetime.date | None = None) -> bool:
    """Selection is per academic year: open while any of the year's terms has its selection window
    open (or extended) for the person."""
    return any(window_open("selection", term, person, today) for term in academic_year.terms.all())


def open_terms(kind: str, terms: list[Term], person: User | None, today: datetime.date | None = None) -> list[Term]:
    """The terms among ``terms`` whose ``kind`` window is open for ``person`` (one query at most)."""
    from licheng.portfolio.models import WindowExtension

    day = today or timezone.localdate()
    result = []
    closed = []
    for term in terms:
        opens, closes = window_dates(kind, term)
        if opens is not None and closes is not None and opens <= day <= closes:
            result.append(term)
        else:
            closed.append(term)
    if closed and person is not None:
        extended = set(
            WindowExtension.objects.filter(user=person, kind=kind, term__in=closed, until__gte=day).values_list(
                "term_id", flat=True
            )
        )
        result.extend(term for term in closed if term.pk in extended)
    return sorted(result, key=lambda t: t.starts_on)
