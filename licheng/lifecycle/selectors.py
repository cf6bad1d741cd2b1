"""Reads for student status changes, submission tags, sealing and retention.

``submission_tags(student)`` / ``submission_tags_for(students)`` tell the submissions capability how a
student's records are tagged for the central database; ``ensure_may_upload(student)`` is what a
student's own upload, selection or writing calls (more than ``ensure_not_sealed``: a suspended student
adds nothing until they resume).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from licheng.core.errors import ServiceError
from licheng.lifecycle.models import ChangeKind, LegalHold, StatusChange, TransferIn, TransferPackage
from licheng.people.models import EnrolmentStatus, Student
from licheng.people.sealing import ensure_not_sealed

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School

# Statuses in which a student still adds to their own portfolio. A student on visiting study (借讀)
# keeps uploading here; their records are tagged with the host school.
UPLOADING_STATUSES = frozenset({EnrolmentStatus.ENROLLED, EnrolmentStatus.VISITING})
# Statuses whose records this school still submits to the central database.
SUBMITTED_STATUSES = frozenset({EnrolmentStatus.ENROLLED, EnrolmentStatus.VISITING, EnrolmentStatus.GRADUATED})
SEALING_STATUSES = frozenset({EnrolmentStatus.TRANSFERRED_OUT, EnrolmentStatus.LEFT, EnrolmentStatus.GRADUATED})


def may_upload(student: Student) -> bool:
    return student.sealed_at is None and student.status in UPLOADING_STATUSES


def ensure_may_upload(student: Student) -> None:
    """Refuse a student's own new upload, selection or writing when their status does not allow it
    (sealed; suspended; transferred out, left or graduated). Staff changes need only ``ensure_not_sealed``."""
    ensure_not_sealed(student)
    if student.status not in UPLOADING_STATUSES:
        raise ServiceError(
            _(
                "%(student)s is not at school now (%(status)s): nothing can be added to their portfolio "
                "until they resume."
            )
            % {"student": student.name, "status": student.get_status_display()}
        )


@dataclasses.dataclass(frozen=True)
class VisitingStudy:
    host_school_code: str
    starts_on: datetime.date
    ends_on: datetime.date


@dataclasses.dataclass(frozen=True)
class SubmissionTags:
    """How one student's records are tagged for the central database.

    - ``submitted``: whether this school still submits the student's records (enrolled, on visiting
      study, graduated); suspended, transferred-out and left students are not submitted.
    - ``repeat_years``: academic years the student repeats (重讀): their grades carry the repeat flag.
    - ``transferred_from``: the previous school's code when the student transferred in (轉學轉科); the
      records from before the transfer are ``TransferredRecord`` rows (and ``Grade`` rows of the
      ``transfer`` variant), never the school's own.
    - ``visiting``: the visiting-study periods (借讀: host school code and dates); a course outcome of a
      term inside one is tagged 借讀 with that host school code.
    """

    status: str
    sealed: bool
    submitted: bool
    repeat_years: tuple[int, ...] = ()
    transferred_from: str | None = None
    transferred_on: datetime.date | None = None
    visiting: tuple[VisitingStudy, ...] = ()

    def visiting_on(self, day: datetime.date) -> VisitingStudy | None:
        """The visiting study in effect on ``day``, if any."""
        return next((v for v in self.visiting if v.starts_on <= day <= v.ends_on), None)

    def variants_for(self, *, academic_year: int, day: datetime.date | None = None) -> set[str]:
        """Record tags for one academic year (and a day in it): ``repeat``, ``transfer``, ``visiting``."""
        tags = set()
        if academic_year in self.repeat_years:
            tags.add("repeat")
        if self.transferred_from is not None:
            tags.add("transfer")
        if day is not None and self.visiting_on(day) is not None:
            tags.add("visiting")
        return tags


def _tags(student: Student, changes: Iterable[StatusChange]) -> SubmissionTags:
    repeat_years: list[int] = []
    visiting: list[VisitingStudy] = []
    transferred_from: str | None = None
    transferred_on: datetime.date | None = None
    for change in changes:
        if change.kind == ChangeKind.REPEAT and change.repeated_year is not None:
            repeat_years.append(change.repeated_year)
        elif change.kind == ChangeKind.VISITING and change.starts_on and change.ends_on:
            visiting.append(VisitingStudy(change.other_school_code, change.starts_on, change.ends_on))
        elif change.kind == ChangeKind.TRANSFER_IN:
            transferred_from, transferred_on = change.other_school_code, change.effective_on
    return SubmissionTags(
        status=student.status,
        sealed=student.sealed_at is not None,
        submitted=student.status in SUBMITTED_STATUSES,
        repeat_years=tuple(sorted(set(repeat_years))),
        transferred_from=transferred_from,
        transferred_on=transferred_on,
        visiting=tuple(visiting),
    )


def submission_tags(student: Student) -> SubmissionTags:
    """The tags for one student (one query)."""
    return _tags(student, StatusChange.objects.filter(school=student.school_id, student=student).order_by("pk"))


def submission_tags_for(students: Iterable[Student]) -> dict[int, SubmissionTags]:
    """The tags for many students, by student id, in one query whatever their number."""
    students = list(students)
    by_student: dict[int, list[StatusChange]] = {s.pk: [] for s in students}
    if students:
        changes = StatusChange.objects.filter(school=students[0].school_id, student__in=by_student).order_by("pk")
        for change in changes:
            by_student[change.student_id].append(change)
    return {s.pk: _tags(s, by_student[s.pk]) for s in students}


# --- history and transfers ------------------------------------------------------------------------


def status_history(student: Student) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(school=student.school_id, student=student).select_related("recorded_by")


def packages_of(student: Student) -> QuerySet[TransferPackage]:
    return TransferPackage.objects.filter(school=student.school_id, student=student)


def packages_of_school(school: School) -> QuerySet[TransferPackage]:
    return TransferPackage.objects.filter(school=school).select_related("student")


def transfers_in_of(student: Student) -> QuerySet[TransferIn]:
    from licheng.lifecycle.models import TransferredFile, TransferredRecord

    return TransferIn.objects.filter(school=student.school_id, student=student).prefetch_related(
        Prefetch(
            "records",
            queryset=TransferredRecord.objects.order_by("kind", "academic_year", "term", "pk").prefetch_related(
                Prefetch("files", queryset=TransferredFile.objects.select_related("stored_file"))
            ),
        )
    )


def recent_changes(school: School) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(school=school).select_related("student", "recorded_by").order_by("-pk")


def transferred_files_visible_to(user: User, school: School) -> QuerySet:  # type: ignore[type-arg]
    """Files brought by a transfer package, for whoever may see their student."""
    from licheng.lifecycle.models import TransferredFile
    from licheng.people.selectors import students_visible_to

    return TransferredFile.objects.filter(
        school=school, record__student__in=students_visible_to(user, school)
    ).select_related("stored_file")


# --- retention ------------------------------------------------------------------------------------


def retention_years(school: School) -> tuple[int, int]:
    """(graduates, leavers) years of the school's standing rules."""
    from licheng.schools.models import SchoolRules

    rules = SchoolRules.objects.filter(school=school, academic_year=None).first()
    if rules is None:
        return 5, 1
    return rules.graduate_retention_years, rules.leaver_retention_years


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


SEALING_KINDS = (ChangeKind.GRADUATE, ChangeKind.LEAVE, ChangeKind.TRANSFER_OUT)


def deletion_due_on(student: Student, left_on: datetime.date | None, years: tuple[int, int]) -> datetime.date | None:
    """When a sealed student's data is due for deletion: graduates after the graduates' period, every
    other leaver (left, transferred out) after the leavers' period, counted from the day they left
    (the day it was sealed when no status change says)."""
    if student.sealed_at is None:
        return None
    graduates, leavers = years
    start = left_on or timezone.localdate(student.sealed_at)
    return add_years(start, graduates if student.status == EnrolmentStatus.GRADUATED else leavers)


@dataclasses.dataclass
class SealedRow:
    student: Student
    left_on: datetime.date
    due_on: datetime.date | None
    hold: LegalHold | None

    @property
    def is_due(self) -> bool:
        return self.due_on is not None and self.due_on <= timezone.localdate()


def sealed_students(school: School) -> list[SealedRow]:
    """Every sealed student of the school with the day they left, their deletion date and their legal
    hold (four queries whatever their number: rules, students, leaving changes, holds)."""
    years = retention_years(school)
    students = list(
        Student.objects.filter(school=school, sealed_at__isnull=False)
        .select_related("school_class")
        .order_by("sealed_at", "student_number")
    )
    left_on: dict[int, datetime.date] = {}
    for student_id, day in (
        StatusChange.objects.filter(school=school, student__in=students, kind__in=SEALING_KINDS)
        .order_by("pk")
        .values_list("student_id", "effective_on")
    ):
        left_on[student_id] = day
    holds = {
        hold.student_id: hold
        for hold in LegalHold.objects.filter(school=school, released_at=None, student__in=students).select_related(
            "placed_by"
        )
    }
    rows = []
    for student in students:
        day = left_on.get(student.pk) or timezone.localdate(student.sealed_at)
        rows.append(SealedRow(student, day, deletion_due_on(student, day, years), holds.get(student.pk)))
    return rows


def retention_preview(school: School, *, on: datetime.date) -> tuple[list[SealedRow], list[SealedRow]]:
    """The dry run: (students whose data would be deleted on ``on``, due students a hold keeps)."""
    rows = [row for row in sealed_students(school) if row.due_on is not None and row.due_on <= on]
    return [row for row in rows if row.hold is None], [row for row in rows if row.hold is not None]


@dataclasses.dataclass(frozen=True)
class SealSummary:
    """What sealing a student's portfolio freezes, counted for the confirmation page."""

    course_outcomes: int
    pending_certification: int
    performances: int
    writings: int
    grades: int
    grade: int | None


def seal_summary(student: Student) -> SealSummary:
    """Five count queries."""
    from licheng.performances.models import Performance, Writing
    from licheng.portfolio.models import CourseOutcome, CourseOutcomeVersion, VersionState
    from licheng.records.models import Grade

    return SealSummary(
        course_outcomes=CourseOutcome.objects.filter(student=student).count(),
        pending_certification=CourseOutcomeVersion.objects.filter(
            outcome__student=student, state=VersionState.PENDING
        ).count(),
        performances=Performance.objects.filter(student=student).count(),
        writings=Writing.objects.filter(student=student).count(),
        grades=Grade.objects.filter(student=student).count(),
        grade=student.school_class.grade if student.school_class else None,
    )


GRADUATING_STATUSES = frozenset({EnrolmentStatus.ENROLLED, EnrolmentStatus.VISITING})


def graduating_students(school: School, grade: int) -> QuerySet[Student]:
    """Students at school (enrolled or on visiting study, not sealed) in ``grade``'s classes of the
    current academic year: whom graduating a whole grade touches."""
    from licheng.schools.selectors import current_term

    term = current_term(school)
    if term is None:
        return Student.objects.none()
    return (
        Student.objects.filter(
            school=school,
            school_class__academic_year_id=term.academic_year_id,
            school_class__grade=grade,
            status__in=GRADUATING_STATUSES,
            sealed_at__isnull=True,
        )
        .select_related("school_class")
        .order_by("school_class__name", "seat", "student_number")
    )


def latest_change(student: Student) -> StatusChange | None:
    """The change a correction would undo (None when there is none, or it is a transfer in)."""
    change = StatusChange.objects.filter(student=student).order_by("-recorded_at", "-pk").first()
    if change is None or change.kind == ChangeKind.TRANSFER_IN or change.status_after != student.status:
        return None
    return change
