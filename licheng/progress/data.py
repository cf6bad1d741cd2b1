"""What the data says about progress: the dashboard series and the computed self-check items.

Every function runs a fixed number of queries however many students, classes or courses the school
has (one grouped query per series plus one per denominator); rows are bucketed in Python.

Series are listed in ``series_list()``; to add one, define a ``Series`` and list it there.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from licheng.people.models import EnrolmentStatus, Student
from licheng.schools.models import Term

GROUPINGS: dict[str, StrOrPromise] = {
    "grade": _("By grade"),
    "class": _("By class"),
    "course": _("By course"),
}

# Student field that gives the group of a student, per grouping (course: see each series).
_STUDENT_GROUP = {"grade": "school_class__grade", "class": "school_class_id"}

Key = Any  # a grade (int), a class id or a course id


@dataclasses.dataclass(frozen=True)
class Series:
    """One thing that gets done over time. ``done(term, grouping)`` returns ``(day, group)`` pairs,
    one per unit done (a student who uploaded, an outcome certified …) on the day it was done;
    ``totals(term, grouping)`` how many units each group has to do."""

    key: str
    label: StrOrPromise
    unit: StrOrPromise
    work_item: str  # the schedule work item whose deadline marks the chart
    done: Callable[[Term, str], list[tuple[datetime.date, Key]]]
    totals: Callable[[Term, str], dict[Key, int]]


def _day(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(value).date() if value is not None else None


def _students(term: Term) -> Any:
    return Student.objects.filter(school_id=term.school_id, status=EnrolmentStatus.ENROLLED)


def student_totals(term: Term, grouping: str) -> dict[Key, int]:
    """Enrolled students per grade or class; enrolments per course of the term."""
    if grouping == "course":
        from licheng.courses.models import Enrolment

        rows = (
            Enrolment.objects.filter(
                school_id=term.school_id, course__term=term, student__status=EnrolmentStatus.ENROLLED
            )
            .values("course_id")
            .annotate(n=Count("student_id", distinct=True))
            .values_list("course_id", "n")
        )
    else:
        field = _STUDENT_GROUP[grouping]
        rows = _students(term).values(field).annotate(n=Count("pk")).values_list(field, "n")
    return {key: n for key, n in rows if key is not None}


def _first_per_student(rows: Any) -> list[tuple[datetime.date, Key]]:
    return [(_day(first), key) for key, first in rows if first is not None and key is not None]  # type: ignore[misc]


def uploads_done(term: Term, grouping: str) -> list[tuple[datetime.date, Key]]:
    """A student (or student-course pair, by course) counts on the day of their first upload."""
    from licheng.portfolio.models import CourseOutcome

    outcomes = CourseOutcome.objects.filter(
        school_id=term.school_id, term=term, withdrawn_at__isnull=True, student__status=EnrolmentStatus.ENROLLED
    )
    field = "course_id" if grouping == "course" else f"student__{_STUDENT_GROUP[grouping]}"
    rows = outcomes.values("student_id", field).annotate(first=Min("created_at")).values_list(field, "first")
    return _first_per_student(rows)


def selections_done(term: Term, grouping: str) -> list[tuple[datetime.date, Key]]:
    """A student (or student-course pair) counts on the day of their first selection of the term's
    course outcomes."""
    from licheng.portfolio.models import CourseOutcomeSelection

    selections = CourseOutcomeSelection.objects.filter(
        school_id=term.school_id, outcome__term=term, student__status=EnrolmentStatus.ENROLLED
    )
    field = "outcome__course_id" if grouping == "course" else f"student__{_STUDENT_GROUP[grouping]}"
    rows = selections.values("student_id", field).annotate(first=Min("selected_at")).values_list(field, "first")
    return _first_per_student(rows)


def certifications_done(term: Term, grouping: str) -> list[tuple[datetime.date, Key]]:
    """An outcome counts once no version of it awaits certification, on the day of the last decision."""
    from licheng.portfolio.models import CourseOutcome, VersionState

    field = "course_id" if grouping == "course" else f"student__{_STUDENT_GROUP[grouping]}"
    rows = (
        CourseOutcome.objects.filter(school_id=term.school_id, term=term, withdrawn_at__isnull=True)
        .values("pk", field)
        .annotate(
            pending=Count("versions", filter=Q(versions__state=VersionState.PENDING)),
            decided=Max("versions__decided_at"),
        )
        .values_list(field, "pending", "decided")
    )
    return [(_day(decided), key) for key, pending, decided in rows if not pending and decided is not None]  # type: ignore[misc]


def outcome_totals(term: Term, grouping: str) -> dict[Key, int]:
    from licheng.portfolio.models import CourseOutcome

    field = "course_id" if grouping == "course" else f"student__{_STUDENT_GROUP[grouping]}"
    rows = (
        CourseOutcome.objects.filter(school_id=term.school_id, term=term, withdrawn_at__isnull=True)
        .values(field)
        .annotate(n=Count("pk"))
        .values_list(field, "n")
    )
    return {key: n for key, n in rows if key is not None}


UPLOADS = Series("uploads", _("Course-outcome uploads"), _("students"), "upload", uploads_done, student_totals)
CERTIFICATION = Series(
    "certification", _("Certification"), _("course outcomes"), "certification", certifications_done, outcome_totals
)
SELECTION = Series("selection", _("Selection"), _("students"), "selection", selections_done, student_totals)


def receipts_done(term: Term, grouping: str) -> list[tuple[datetime.date, Key]]:
    """A student counts on the day they confirmed the term's receipt (收訖確認). Receipts are per
    student, not per course: by course there is nothing to show."""
    from licheng.receipts.models import ConfirmationStatus, StudentReceipt

    if grouping == "course":
        return []
    field = f"student__{_STUDENT_GROUP[grouping]}"
    rows = (
        StudentReceipt.objects.filter(school_id=term.school_id, receipt__term=term, status=ConfirmationStatus.CONFIRMED)
        .values("student_id", field)
        .annotate(first=Min("answered_at"))
        .values_list(field, "first")
    )
    return _first_per_student(rows)


def receipt_totals(term: Term, grouping: str) -> dict[Key, int]:
    """The students asked to confirm a receipt of the term, per grade or class."""
    from licheng.receipts.models import StudentReceipt

    if grouping == "course":
        return {}
    field = f"student__{_STUDENT_GROUP[grouping]}"
    rows = (
        StudentReceipt.objects.filter(school_id=term.school_id, receipt__term=term)
        .values(field)
        .annotate(n=Count("student_id", distinct=True))
        .values_list(field, "n")
    )
    return {key: n for key, n in rows if key is not None}


RECEIPTS = Series(
    "receipts", _("Receipts confirmed"), _("students"), "receipt_confirmation", receipts_done, receipt_totals
)


def series_list() -> list[Series]:
    """Every dashboard series, in the order of the yearly flow."""
    return [UPLOADS, CERTIFICATION, SELECTION, RECEIPTS]


# --- computed self-check items -------------------------------------------------------------------


def profile_checks_confirmed(term: Term) -> tuple[int, int] | None:
    """Confirmed (or resolved) profile checks of the term's verification round, out of all."""
    from licheng.people.models import CheckStatus, ProfileCheck

    counts = ProfileCheck.objects.filter(school_id=term.school_id, round__term=term).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(status__in=[CheckStatus.CONFIRMED, CheckStatus.RESOLVED]))
    )
    if not counts["total"]:
        return None
    return counts["done"], counts["total"]


def _series_total(series: Series) -> Callable[[Term], tuple[int, int] | None]:
    def compute(term: Term) -> tuple[int, int] | None:
        total = sum(series.totals(term, "grade").values())
        if not total:
            return None
        return len(series.done(term, "grade")), total

    return compute


def computed_metrics() -> dict[str, Callable[[Term], tuple[int, int] | None]]:
    """Work items whose progress the data shows: ``(done, out of)`` for a term, or None when there
    is nothing to count yet."""
    metrics: dict[str, Callable[[Term], tuple[int, int] | None]] = {
        s.work_item: _series_total(s) for s in series_list()
    }
    metrics["entry_registry"] = profile_checks_confirmed
    return metrics


# --- the dashboard -------------------------------------------------------------------------------


def group_labels(term: Term, grouping: str, keys: set[Key]) -> dict[Key, str]:
    if grouping == "grade":
        from licheng.schools.models import Grade

        return {k: str(Grade(k).label) if k in Grade.values else str(k) for k in keys}
    if grouping == "class":
        from licheng.schools.models import SchoolClass

        return dict(SchoolClass.objects.filter(school_id=term.school_id, pk__in=keys).values_list("pk", "name"))
    from licheng.courses.models import Course

    return {
        c.pk: f"{c.subject_name} {c.school_class.name if c.school_class else c.group_name}".strip()
        for c in Course.objects.filter(school_id=term.school_id, pk__in=keys).select_related("school_class")
    }


@dataclasses.dataclass
class SeriesData:
    series: Series
    opens_on: datetime.date | None
    deadline: datetime.date | None
    # [(label, done, total)] per group, sorted by label.
    groups: list[tuple[str, int, int]]
    # Cumulative count done per day over the chart's days, for the whole school.
    days: list[datetime.date]
    cumulative: list[int]
    # For grade: per group cumulative lines [(label, [counts])] (≤ 3 lines).
    lines: list[tuple[str, list[int], int]]
    total: int

    @property
    def done(self) -> int:
        return self.cumulative[-1] if self.cumulative else 0

    @property
    def table_rows(self) -> list[tuple[datetime.date, int]]:
        """The accessible table beside the chart: the days something changed, plus the deadline."""
        rows = []
        previous = None
        for day, value in zip(self.days, self.cumulative, strict=True):
            if value != previous or day == self.deadline:
                rows.append((day, value))
            previous = value
        return rows


MAX_DAYS = 240


def series_data(series: Series, term: Term, grouping: str, today: datetime.date | None = None) -> SeriesData:
    from licheng.schedule.windows import window_dates

    today = today or timezone.localdate()
    done = series.done(term, grouping)
    totals = series.totals(term, grouping)
    opens_on, deadline = window_dates(term.school, series.work_item, term)
    counts: dict[Key, int] = defaultdict(int)
    by_day: dict[datetime.date, int] = defaultdict(int)
    by_day_group: dict[tuple[datetime.date, Key], int] = defaultdict(int)
    for day, key in done:
        counts[key] += 1
        by_day[day] += 1
        by_day_group[(day, key)] += 1
    keys = set(totals) | set(counts)
    labels = group_labels(term, grouping, keys)
    ordered = sorted(keys) if grouping == "grade" else sorted(keys, key=lambda k: labels.get(k, str(k)))
    groups = [(labels.get(k, str(k)), counts.get(k, 0), totals.get(k, 0)) for k in ordered]
    event_days = sorted(by_day)
    start_candidates = [d for d in (opens_on, event_days[0] if event_days else None) if d is not None]
    start = min(start_candidates) if start_candidates else None
    days: list[datetime.date] = []
    cumulative: list[int] = []
    lines: list[tuple[str, list[int], int]] = []
    if start is not None:
        end_candidates = [d for d in (deadline, event_days[-1] if event_days else None) if d is not None]
        end = max(end_candidates)
        if today > end and (deadline is None or today <= deadline + datetime.timedelta(days=30)):
            end = today
        end = min(end, start + datetime.timedelta(days=MAX_DAYS))
        before = sum(n for d, n in by_day.items() if d < start)
        running = before
        day = start
        while day <= end:
            running += by_day.get(day, 0)
            days.append(day)
            cumulative.append(running)
            day += datetime.timedelta(days=1)
        if grouping == "grade":
            for key in sorted(keys):
                run = sum(n for (d, k), n in by_day_group.items() if k == key and d < start)
                values = []
                for d in days:
                    run += by_day_group.get((d, key), 0)
                    values.append(run)
                lines.append((labels.get(key, str(key)), values, totals.get(key, 0)))
    return SeriesData(
        series=series,
        opens_on=opens_on,
        deadline=deadline,
        groups=groups,
        days=days,
        cumulative=cumulative,
        lines=lines,
        total=sum(totals.values()),
    )


def uncertified_by_teacher(term: Term, class_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Teachers with course outcomes awaiting their certification in ``term``: each with their
    courses and counts, most waiting first (two queries). ``class_ids``: only outcomes of the
    students of these classes (a homeroom teacher's report on their class)."""
    from licheng.courses.models import CourseTeacher
    from licheng.portfolio.models import CourseOutcome, VersionState

    outcomes = CourseOutcome.objects.filter(
        school_id=term.school_id, term=term, withdrawn_at__isnull=True, versions__state=VersionState.PENDING
    )
    if class_ids is not None:
        outcomes = outcomes.filter(student__school_class_id__in=class_ids)
    pending = dict(
        outcomes.values("course_id")
        .annotate(n=Count("pk", distinct=True), oldest=Min("versions__created_at"))
        .values_list("course_id", "n")
    )
    if not pending:
        return []
    teachers: dict[int, dict[str, Any]] = {}
    assignments = CourseTeacher.objects.filter(school_id=term.school_id, course_id__in=pending).select_related(
        "teacher", "course__school_class"
    )
    for a in assignments:
        row = teachers.setdefault(a.teacher_id, {"teacher": a.teacher, "courses": [], "pending": 0})
        course = a.course
        row["courses"].append(
            (f"{course.subject_name} {course.school_class or course.group_name}".strip(), pending[course.pk])
        )
        row["pending"] += pending[course.pk]
    return sorted(teachers.values(), key=lambda r: (-r["pending"], str(r["teacher"])))
