"""When performances may be uploaded and selected. One question per function; the answers come from
the work schedule (``licheng.schedule.windows``), the one place that knows the windows.

Uploads are open while the ``performance_upload`` window of either term of the academic year is
open (a scheduled term without its own performance-upload entry follows the course-outcome upload
window; an unscheduled term uses its upload dates); selection is open inside either term's
selection window.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from licheng.schedule import windows as schedule_windows
from licheng.schools.models import AcademicYear, School, Term


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _terms(academic_year: AcademicYear) -> list[Term]:
    if "_licheng_terms" not in academic_year.__dict__:
        academic_year.__dict__["_licheng_terms"] = list(
            Term.objects.filter(school_id=academic_year.school_id, academic_year=academic_year)
        )
    terms: list[Term] = academic_year.__dict__["_licheng_terms"]
    return terms


def _windows(academic_year: AcademicYear) -> dict[int, list[schedule_windows.Window] | None]:
    """The year's scheduled windows, read once per academic-year object (like its terms)."""
    if "_licheng_windows" not in academic_year.__dict__:
        academic_year.__dict__["_licheng_windows"] = schedule_windows.terms_windows(_terms(academic_year))
    windows: dict[int, list[schedule_windows.Window] | None] = academic_year.__dict__["_licheng_windows"]
    return windows


def upload_open(school: School, academic_year: AcademicYear, today: datetime.date | None = None) -> bool:
    """May students add, change or withdraw performances of ``academic_year`` today?"""
    return bool(
        schedule_windows.open_terms(
            "performance_upload", _terms(academic_year), None, _today(today), prefetched=_windows(academic_year)
        )
    )


def selection_open(school: School, academic_year: AcademicYear, today: datetime.date | None = None) -> bool:
    """May students select or unselect performances of ``academic_year`` today?"""
    return bool(
        schedule_windows.open_terms(
            "selection", _terms(academic_year), None, _today(today), prefetched=_windows(academic_year)
        )
    )


def writing_open(school: School, term: Term, today: datetime.date | None = None) -> bool:
    """May students write their reflection, autobiography and study plan for ``term`` today?
    Writings are due at least once a term: the current term's stay open; earlier terms are read-only."""
    from licheng.schools.selectors import current_term

    current = current_term(school, _today(today))
    return current is not None and current.pk == term.pk
