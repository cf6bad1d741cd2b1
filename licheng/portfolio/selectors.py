"""Reads for course outcomes, narrowed to what a user may see.

Who sees a student's course outcomes: the student, their parents (read only), their homeroom teacher
and counsellor, the course's teachers and the proxies certifying for them today, and staff with
``portfolio.view_all``. Anybody else gets 404.

Who certifies (``certifier_map``): a teacher of the course, or a proxy in effect today for one of the
course's teachers (an assignment naming that course, or naming no course: all the principal's courses).
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from licheng.courses.models import Course, CourseTeacher, Enrolment
from licheng.people.models import Duty, Student, User
from licheng.people.selectors import may, proxy_assignments_for
from licheng.portfolio.models import (
    CertificationReason,
    CourseOutcome,
    CourseOutcomeFile,
    CourseOutcomeSelection,
    CourseOutcomeVersion,
    VersionState,
)
from licheng.schools.selectors import rules_for

if TYPE_CHECKING:
    from licheng.schools.models import AcademicYear, School, SchoolRules, Term


def student_of(user: User, school: School) -> Student | None:
    if not user.is_authenticated:
        return None
    return (
        Student.objects.filter(school=school, user=user)
        .select_related("school", "school_class", "school_class__academic_year")
        .first()
    )


def certifier_map(user: User, school: School, on: datetime.date | None = None) -> dict[int, User]:
    """course id → the teacher ``user`` certifies as for that course (``user`` themself for their
    own courses, else the first principal in proxy order). Two or three queries."""
    if not user.is_authenticated or user.school_id != school.pk:
        return {}
    own = CourseTeacher.objects.filter(school=school, teacher=user).values_list("course_id", flat=True)
    result: dict[int, User] = dict.fromkeys(own, user)
    assignments = list(proxy_assignments_for(user, Duty.CERTIFY_COURSE, on=on))
    if assignments:
        taught: dict[int, list[int]] = {}
        for course_id, teacher_id in CourseTeacher.objects.filter(
            school=school, teacher_id__in={a.principal_id for a in assignments}
        ).values_list("course_id", "teacher_id"):
            taught.setdefault(teacher_id, []).append(course_id)
        for assignment in assignments:  # proxy order
            for course_id in taught.get(assignment.principal_id, []):
                if assignment.course_id is None or assignment.course_id == course_id:
                    result.setdefault(course_id, assignment.principal)
    return result


def outcomes_visible_to(user: User, school: School) -> QuerySet[CourseOutcome]:
    outcomes = CourseOutcome.objects.filter(school=school)
    if not user.is_authenticated or user.school_id not in (None, school.pk):
        return outcomes.none()
    if may(user, school, "portfolio.view_all"):
        return outcomes
    if user.school_id != school.pk:
        return outcomes.none()
    certifiable = list(certifier_map(user, school))
    return outcomes.filter(
        Q(student__user=user)
        | Q(student__parent_links__parent=user)
        | Q(student__school_class__homeroom_teacher=user)
        | Q(student__school_class__counsellor=user)
        | Q(course_id__in=certifiable)
    ).distinct()


def _current(versions: QuerySet[CourseOutcomeVersion]) -> QuerySet[CourseOutcomeVersion]:
    newer = CourseOutcomeVersion.objects.filter(outcome=OuterRef("outcome"), number__gt=OuterRef("number"))
    return versions.filter(~Exists(newer))


def with_details(outcomes: QuerySet[CourseOutcome]) -> QuerySet[CourseOutcome]:
    """Outcomes with course, term and every version (with its files and decision) loaded."""
    return outcomes.select_related(
        "course", "course__school_class", "term", "term__academic_year", "student", "student__school_class"
    ).prefetch_related(
        Prefetch(
            "versions",
            queryset=CourseOutcomeVersion.objects.select_related(
                "decided_by", "decided_on_behalf_of", "reason"
            ).prefetch_related(
                Prefetch("outcome_files", queryset=CourseOutcomeFile.objects.select_related("stored_file"))
            ),
        ),
        Prefetch("selections", queryset=CourseOutcomeSelection.objects.all()),
    )


def current_version(outcome: CourseOutcome) -> CourseOutcomeVersion | None:
    versions = list(outcome.versions.all())
    return max(versions, key=lambda v: v.number) if versions else None


def certified_version(outcome: CourseOutcome) -> CourseOutcomeVersion | None:
    passed = [v for v in outcome.versions.all() if v.state == VersionState.PASSED]
    return max(passed, key=lambda v: v.number) if passed else None


def current_versions_of(student: Student, term: Term) -> QuerySet[CourseOutcomeVersion]:
    """The current version of each of the student's live outcomes of ``term``, with its course."""
    return (
        _current(
            CourseOutcomeVersion.objects.filter(
                school_id=student.school_id,
                outcome__student=student,
                outcome__term=term,
                outcome__withdrawn_at__isnull=True,
            )
        )
        .select_related("outcome__course", "reason")
        .order_by("outcome__course__subject_name", "outcome_id")
    )


def queue_for(
    user: User, school: School, *, state: str = VersionState.PENDING, course_id: int | None = None
) -> QuerySet[CourseOutcomeVersion]:
    """The current versions in ``state`` of the outcomes of the courses ``user`` certifies."""
    course_ids = list(certifier_map(user, school))
    if course_id is not None:
        course_ids = [c for c in course_ids if c == course_id]
    versions = CourseOutcomeVersion.objects.filter(
        school=school,
        outcome__course_id__in=course_ids,
        outcome__withdrawn_at__isnull=True,
        state=state,
    )
    return (
        _current(versions)
        .select_related(
            "outcome",
            "outcome__student",
            "outcome__student__school_class",
            "outcome__course",
            "outcome__course__school_class",
            "reason",
            "decided_by",
            "decided_on_behalf_of",
        )
        .prefetch_related(Prefetch("outcome_files", queryset=CourseOutcomeFile.objects.select_related("stored_file")))
        .order_by(
            "outcome__course__subject_name", "outcome__student__school_class__name", "outcome__student__seat", "pk"
        )
    )


def queue_courses(user: User, school: School, term: Term | None) -> list[Course]:
    """The courses ``user`` certifies (in ``term`` when given), each with ``counts`` by state of
    their outcomes' current versions and ``proxy_for`` (the principal, for a proxy's course). Four
    queries."""
    certifiers = certifier_map(user, school)
    ids = list(certifiers)
    courses = Course.objects.filter(school=school, pk__in=ids)
    if term is not None:
        courses = courses.filter(term=term)
    rows = list(courses.select_related("school_class", "term", "term__academic_year").order_by("subject_name", "pk"))
    counts: dict[int, dict[str, int]] = {}
    for course_id, state, n in (
        _current(
            CourseOutcomeVersion.objects.filter(
                school=school, outcome__course_id__in=[c.pk for c in rows], outcome__withdrawn_at__isnull=True
            )
        )
        .values_list("outcome__course_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts.setdefault(course_id, {})[state] = n
    for course in rows:
        course.counts = counts.get(course.pk, {})  # type: ignore[attr-defined]
        # the teacher ``user`` certifies for, when it is not ``user`` (a proxy's course)
        principal = certifiers.get(course.pk)
        course.proxy_for = principal if principal is not None and principal.pk != user.pk else None  # type: ignore[attr-defined]
    return rows


@dataclasses.dataclass
class Counters:
    term_uploaded: int
    term_cap: int
    year_uploaded: int
    year_cap: int
    selected: int
    selected_cap: int
    description_max_chars: int


def counters_for(student: Student, term: Term, rules: SchoolRules | None = None) -> Counters:
    rules = rules or rules_for(student.school, term.academic_year_id and term.academic_year)
    live = CourseOutcome.objects.filter(school_id=student.school_id, student=student, withdrawn_at__isnull=True)
    year_rows = list(live.filter(academic_year_id=term.academic_year_id).values_list("term_id", flat=True))
    return Counters(
        term_uploaded=sum(1 for t in year_rows if t == term.pk),
        term_cap=rules.course_outcomes_per_term,
        year_uploaded=len(year_rows),
        year_cap=rules.course_outcomes_per_year,
        selected=CourseOutcomeSelection.objects.filter(
            school_id=student.school_id, student=student, academic_year_id=term.academic_year_id
        ).count(),
        selected_cap=rules.course_outcomes_selected,
        description_max_chars=rules.description_max_chars,
    )


def uploadable_courses(student: Student, terms: list[Term]) -> QuerySet[Course]:
    """The student's credit-bearing courses of ``terms``."""
    return (
        Course.objects.filter(
            school_id=student.school_id,
            term__in=terms,
            credits__gt=0,
            pk__in=Enrolment.objects.filter(school_id=student.school_id, student=student).values("course_id"),
        )
        .select_related("term", "term__academic_year")
        .order_by("term__starts_on", "subject_name", "pk")
    )


def reasons_of(school: School, *, active_only: bool = True) -> QuerySet[CertificationReason]:
    reasons = CertificationReason.objects.filter(school=school)
    return reasons.filter(active=True) if active_only else reasons


def class_progress(students: QuerySet[Student], term: Term, academic_year: AcademicYear) -> list[Student]:
    """Each student with ``uploaded`` / ``certified`` (this term) and ``selected`` (this year)
    counts, in one query."""
    live_term = Q(course_outcomes__term=term, course_outcomes__withdrawn_at__isnull=True)
    return list(
        students.annotate(
            uploaded=Count("course_outcomes", filter=live_term, distinct=True),
            certified=Count(
                "course_outcomes", filter=live_term & Q(course_outcomes__versions__state="passed"), distinct=True
            ),
            selected=Count(
                "outcome_selections", filter=Q(outcome_selections__academic_year=academic_year), distinct=True
            ),
        ).order_by("school_class__name", "seat", "student_number")
    )
