"""The one place that says whether a window of work (作業期程) is open.

Every service, page and job that belongs to a window asks here: ``window_open(work_item, term,
person)`` and ``window_dates(school, work_item, term, grade, batch)``.

Rules
- Dates are inclusive and school-local (Asia/Taipei, ``timezone.localdate``).
- A term's windows come from its published ``ScheduleEntry`` rows (a draft counts for nothing).
  An entry without a grade applies to every grade; an entry for a grade wins over the every-grade
  entry for that grade. Grade 12 may have two batches (1 and 2) of the same work item; a person
  whose batch is not known is inside the window while either batch is open.
- **Fallback**: until a school has any schedule entry for a term, the term's own
  ``upload_/certification_/selection_opens_on/closes_on`` fields answer for ``upload``,
  ``certification`` and ``selection`` (``performance_upload`` follows ``upload``), and every other
  work item is closed. As soon as one entry exists for the term, only entries count.
- ``performance_upload`` without an entry of its own in a scheduled term follows ``upload``.
- Individual extensions keep a window open for one person until a date: for ``upload``,
  ``certification`` and ``selection`` they are ``portfolio.WindowExtension`` rows, for every other
  work item ``schedule.ScheduleExtension`` rows.
- A person's grade in a term is their class's grade shifted by the years between the class's
  academic year and the term's; staff and parents have no grade (any grade's window counts).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from licheng.people.roles import Role

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School, Term


@dataclasses.dataclass(frozen=True)
class WorkItem:
    code: str
    label: StrOrPromise
    office: Role
    # The Term fields (prefix) that answer while a term has no schedule entries.
    term_fields: str | None = None
    # For students: does the item concern each student (reminders, "my deadlines")?
    for_students: bool = False
    # For teachers (certification).
    for_teachers: bool = False


_ITEMS = (
    WorkItem("upload", _("Course-outcome upload"), Role.CURRICULUM, "upload", for_students=True),
    WorkItem("certification", _("Teacher certification"), Role.CURRICULUM, "certification", for_teachers=True),
    WorkItem("performance_upload", _("Performance upload"), Role.ACTIVITIES, "upload", for_students=True),
    WorkItem("selection", _("Selection of items to submit"), Role.REGISTRY, "selection", for_students=True),
    WorkItem("pre_check", _("Pre-check roster to the central database"), Role.REGISTRY),
    WorkItem("submission", _("Submission to the central database"), Role.REGISTRY),
    WorkItem("receipt_confirmation", _("Receipt confirmation by students"), Role.REGISTRY, for_students=True),
    WorkItem("entry_registry", _("Profiles and term grades entered"), Role.REGISTRY),
    WorkItem("entry_curriculum", _("Courses, teachers and course codes entered"), Role.CURRICULUM),
    WorkItem("entry_activities", _("Cadre roles entered"), Role.ACTIVITIES),
    WorkItem("entry_discipline", _("Attendance, rewards and penalties entered"), Role.DISCIPLINE),
    WorkItem("entry_guidance", _("Career exploration entered"), Role.GUIDANCE),
    WorkItem("entry_internship", _("Internship office records entered"), Role.INTERNSHIP),
    WorkItem("entry_continuing_education", _("Continuing-education records entered"), Role.CONTINUING_EDUCATION),
)

# Every work item by code, in the order of the yearly flow.
WORK_ITEMS: dict[str, WorkItem] = {item.code: item for item in _ITEMS}
WORK_ITEM_CHOICES: list[tuple[str, StrOrPromise]] = [(item.code, item.label) for item in _ITEMS]
# Items whose individual extensions live in ``portfolio.WindowExtension``.
PORTFOLIO_KINDS = ("upload", "certification", "selection")


@dataclasses.dataclass(frozen=True)
class Window:
    work_item: str
    grade: int | None
    batch: int | None
    starts_on: datetime.date
    ends_on: datetime.date

    def contains(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


def _check(work_item: str) -> WorkItem:
    try:
        return WORK_ITEMS[work_item]
    except KeyError:
        raise ValueError(f"unknown work item {work_item!r}") from None


def term_windows(term: Term) -> list[Window] | None:
    """The term's scheduled windows, or None while the term has no schedule entries (fallback)."""
    return terms_windows([term])[term.pk]


def terms_windows(terms: Iterable[Term]) -> dict[int, list[Window] | None]:
    """``term_windows`` for several terms in one query."""
    from licheng.schedule.models import ScheduleEntry

    terms = list(terms)
    result: dict[int, list[Window] | None] = {t.pk: None for t in terms}
    if not terms:
        return result
    rows = ScheduleEntry.objects.filter(
        school_id=terms[0].school_id, term__in=terms, published_at__isnull=False
    ).values_list("term_id", "work_item", "grade", "batch", "starts_on", "ends_on")
    for term_id, work_item, grade, batch, starts_on, ends_on in rows:
        windows = result[term_id]
        if windows is None:
            windows = result[term_id] = []
        windows.append(Window(work_item, grade, batch, starts_on, ends_on))
    return result


def _fallback(item: WorkItem, term: Term) -> list[Window]:
    if item.term_fields is None:
        return []
    opens = getattr(term, f"{item.term_fields}_opens_on")
    closes = getattr(term, f"{item.term_fields}_closes_on")
    if opens is None or closes is None:
        return []
    return [Window(item.code, None, None, opens, closes)]


def _candidates(
    item: WorkItem, term: Term, windows: list[Window] | None, grade: int | None, batch: int | None
) -> list[Window]:
    if windows is None:
        return _fallback(item, term)
    mine = [w for w in windows if w.work_item == item.code]
    if not mine and item.code == "performance_upload":
        mine = [w for w in windows if w.work_item == "upload"]
    if grade is None:
        every = [w for w in mine if w.grade is None]
        return every or mine
    graded = [w for w in mine if w.grade == grade and (batch is None or w.batch is None or w.batch == batch)]
    return graded or [w for w in mine if w.grade is None]


def window_dates(
    school: School | None,
    work_item: str,
    term: Term,
    grade: int | None = None,
    batch: int | None = None,
    *,
    prefetched: dict[int, list[Window] | None] | None = None,
) -> tuple[datetime.date | None, datetime.date | None]:
    """First and last day (inclusive) of ``work_item``'s window in ``term`` for ``grade`` (and grade
    12's ``batch``); ``(None, None)`` when there is none. Without a grade: the every-grade entry, or
    else the span of all grades' entries. ``school`` is the term's school (kept for callers that
    think in schools; the term decides). ``prefetched`` is what ``terms_windows`` returned, for a
    page asking about several windows of the same term."""
    item = _check(work_item)
    windows = prefetched[term.pk] if prefetched is not None and term.pk in prefetched else term_windows(term)
    found = _candidates(item, term, windows, grade, batch)
    if not found:
        return None, None
    return min(w.starts_on for w in found), max(w.ends_on for w in found)


def self_check_date(work_item: str, term: Term, grade: int | None = None) -> datetime.date | None:
    """The self-check date of the matching entry (the latest among several), or None."""
    from licheng.schedule.models import ScheduleEntry

    _check(work_item)
    rows = list(
        ScheduleEntry.objects.filter(term=term, work_item=work_item, published_at__isnull=False).values_list(
            "grade", "self_check_on"
        )
    )
    if grade is not None:
        rows = [r for r in rows if r[0] == grade] or [r for r in rows if r[0] is None]
    else:
        rows = [r for r in rows if r[0] is None] or rows
    return max((day for _grade, day in rows if day is not None), default=None)


def person_grade(person: User | None, term: Term) -> int | None:
    """The grade a student person is in during ``term``; None for anyone else."""
    if person is None or getattr(person, "pk", None) is None:
        return None
    cache = person.__dict__.setdefault("_licheng_grade", {})
    if term.pk in cache:
        return cache[term.pk]  # type: ignore[no-any-return]
    from licheng.people.models import Student

    row = (
        Student.objects.filter(user_id=person.pk, school_id=term.school_id)
        .values_list("school_class__grade", "school_class__academic_year__year", "entry_year")
        .first()
    )
    grade = None
    if row is not None:
        class_grade, class_year, entry_year = row
        term_year = term.academic_year.year
        if class_grade is not None and class_year is not None:
            grade = class_grade + (term_year - class_year)
        else:
            grade = 10 + term_year - entry_year
        grade = min(max(grade, 10), 12)
    cache[term.pk] = grade
    return grade


def _grade_if_needed(item: WorkItem, person: User | None, term: Term, windows: list[Window] | None) -> int | None:
    """The person's grade, looked up only when some window of the item is for one grade."""
    if windows is None:
        return None
    # performance_upload may follow upload's windows, so any graded window counts for it.
    codes = {item.code, "upload"} if item.code == "performance_upload" else {item.code}
    if not any(w.grade is not None and w.work_item in codes for w in windows):
        return None
    return person_grade(person, term)


def _extended(work_item: str, terms: list[Term], person: User, day: datetime.date) -> set[int]:
    """Ids of the terms among ``terms`` where ``person`` has an extension of ``work_item`` covering ``day``."""
    if not terms:
        return set()
    if work_item in PORTFOLIO_KINDS:
        from licheng.portfolio.models import WindowExtension

        ext = WindowExtension.objects.filter(
            school_id=terms[0].school_id, user_id=person.pk, kind=work_item, term__in=terms, until__gte=day
        )
    else:
        from licheng.schedule.models import ScheduleExtension

        ext = ScheduleExtension.objects.filter(
            school_id=terms[0].school_id, user_id=person.pk, work_item=work_item, term__in=terms, until__gte=day
        )
    return set(ext.values_list("term_id", flat=True))


def window_open(
    work_item: str,
    term: Term,
    person: User | None,
    today: datetime.date | None = None,
    *,
    grade: int | None = None,
) -> bool:
    """Is ``work_item``'s window in ``term`` open for ``person`` (None: for anyone) on ``today``?

    For a student the window of their grade counts; ``grade`` narrows it for anyone else (e.g. a
    teacher certifying a grade-10 student's work). Extensions granted to ``person`` count too."""
    return bool(open_terms(work_item, [term], person, today, grade=grade))


def open_terms(
    work_item: str,
    terms: Iterable[Term],
    person: User | None,
    today: datetime.date | None = None,
    *,
    grade: int | None = None,
    prefetched: dict[int, list[Window] | None] | None = None,
) -> list[Term]:
    """The terms among ``terms`` whose ``work_item`` window is open for ``person`` on ``today``, in
    calendar order (a fixed number of queries however many terms). ``prefetched`` is what
    ``terms_windows(terms)`` returned, for callers asking several questions about the same terms."""
    item = _check(work_item)
    day = today or timezone.localdate()
    terms = list(terms)
    if not terms:
        return []
    windows = prefetched if prefetched is not None else terms_windows(terms)
    result, closed = [], []
    for term in terms:
        g = grade if grade is not None else _grade_if_needed(item, person, term, windows[term.pk])
        if any(w.contains(day) for w in _candidates(item, term, windows[term.pk], g, None)):
            result.append(term)
        else:
            closed.append(term)
    if closed and person is not None:
        extended = _extended(item.code, closed, person, day)
        result.extend(t for t in closed if t.pk in extended)
    return sorted(result, key=lambda t: t.starts_on)


def deadlines_for(person: User | None, terms: Iterable[Term], work_items: Iterable[str] | None = None) -> list[dict]:
    """Each (term, work item) window that concerns ``person`` with its dates, for "my deadlines"
    lists and reminders: ``{"term", "work_item", "label", "starts_on", "ends_on"}``; sorted by end."""
    terms = list(terms)
    codes = list(work_items) if work_items is not None else list(WORK_ITEMS)
    windows = terms_windows(terms)
    out = []
    for term in terms:
        for code in codes:
            item = _check(code)
            g = _grade_if_needed(item, person, term, windows[term.pk])
            found = _candidates(item, term, windows[term.pk], g, None)
            if found:
                out.append(
                    {
                        "term": term,
                        "work_item": code,
                        "label": item.label,
                        "starts_on": min(w.starts_on for w in found),
                        "ends_on": max(w.ends_on for w in found),
                    }
                )
    return sorted(out, key=lambda d: (d["ends_on"], d["work_item"]))
