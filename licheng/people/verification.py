"""Profile verification each term (基本資料每學期確認): services and selectors.

The registry (``people.manage_students``) opens a round for a term; every enrolled student gets a
``ProfileCheck`` and either confirms their profile or reports what is wrong. The registry fixes the
profile on the student edit page and resolves the report. Homeroom teachers see their classes'
state, read-only. A student added after the round opened gets their check when they first open
their page (``check_for_student``).
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_role
from licheng.people.models import CheckStatus, EnrolmentStatus, ProfileCheck, Student, User, VerificationRound
from licheng.people.roles import Role
from licheng.people.selectors import may
from licheng.people.services import authorise

if TYPE_CHECKING:
    from licheng.schools.models import School, SchoolClass, Term

MANAGE = "people.manage_students"
REPORT_MAX_CHARS = 500


# --- selectors -----------------------------------------------------------------------------------


def may_manage(user: User, school: School) -> bool:
    return may(user, school, MANAGE)


def may_follow(user: User, school: School) -> bool:
    """Who may open the rounds pages: the registry (all classes) and homeroom teachers (theirs)."""
    return may_manage(user, school) or has_role(user, school, Role.HOMEROOM_TEACHER)


def rounds_of(school: School) -> QuerySet[VerificationRound]:
    """Every round of the school, newest first, with its term and counts per status (one query)."""
    return (
        VerificationRound.objects.filter(school=school)
        .select_related("term__academic_year")
        .annotate(
            total=Count("checks"),
            confirmed=Count("checks", filter=Q(checks__status=CheckStatus.CONFIRMED)),
            reported=Count("checks", filter=Q(checks__status=CheckStatus.REPORTED)),
            resolved=Count("checks", filter=Q(checks__status=CheckStatus.RESOLVED)),
            pending=Count("checks", filter=Q(checks__status=CheckStatus.PENDING)),
        )
        .order_by("-term__academic_year__year", "-term__number")
    )


def round_of(school: School, pk: int) -> VerificationRound | None:
    return VerificationRound.objects.filter(school=school, pk=pk).select_related("term__academic_year").first()


def latest_round(school: School) -> VerificationRound | None:
    """The round a student answers: the newest (open or not)."""
    return (
        VerificationRound.objects.filter(school=school)
        .select_related("term__academic_year")
        .order_by("-term__academic_year__year", "-term__number")
        .first()
    )


def _classes_filter(user: User, school: School) -> Q:
    """Everything for the registry; the homeroom teacher's own classes for them."""
    if may_manage(user, school):
        return Q()
    return Q(student__school_class__homeroom_teacher=user)


@dataclasses.dataclass
class ClassRow:
    class_id: int | None
    class_name: str | None
    grade: int | None
    total: int
    confirmed: int
    reported: int
    resolved: int
    pending: int


def dashboard(user: User, school: School, verification_round: VerificationRound) -> list[ClassRow]:
    """Counts per class for the classes ``user`` may follow (one query, however many classes)."""
    rows = (
        ProfileCheck.objects.filter(school=school, round=verification_round)
        .filter(_classes_filter(user, school))
        .order_by()
        .values("student__school_class_id", "student__school_class__name", "student__school_class__grade")
        .annotate(
            total=Count("pk"),
            confirmed=Count("pk", filter=Q(status=CheckStatus.CONFIRMED)),
            reported=Count("pk", filter=Q(status=CheckStatus.REPORTED)),
            resolved=Count("pk", filter=Q(status=CheckStatus.RESOLVED)),
            pending=Count("pk", filter=Q(status=CheckStatus.PENDING)),
        )
    )
    result = [
        ClassRow(
            class_id=row["student__school_class_id"],
            class_name=row["student__school_class__name"],
            grade=row["student__school_class__grade"],
            total=row["total"],
            confirmed=row["confirmed"],
            reported=row["reported"],
            resolved=row["resolved"],
            pending=row["pending"],
        )
        for row in rows
    ]
    result.sort(key=lambda row: (row.grade is None, row.grade or 0, row.class_name or ""))
    return result


def class_checks(
    user: User, school: School, verification_round: VerificationRound, school_class: SchoolClass | None
) -> QuerySet[ProfileCheck]:
    """The checks of one class (``None``: students without a class), each with its student."""
    checks = (
        ProfileCheck.objects.filter(school=school, round=verification_round)
        .filter(_classes_filter(user, school))
        .select_related("student", "resolved_by")
        .order_by("student__seat", "student__student_number")
    )
    if school_class is None:
        return checks.filter(student__school_class__isnull=True)
    return checks.filter(student__school_class=school_class)


def own_check(user: User, school: School, pk: int) -> ProfileCheck | None:
    """A check of the user's own profile; ``None`` for anybody else's (the view answers 404)."""
    return (
        ProfileCheck.objects.filter(school=school, pk=pk, student__user=user).select_related("round", "student").first()
    )


def check_for_registry(school: School, pk: int) -> ProfileCheck | None:
    return ProfileCheck.objects.filter(school=school, pk=pk).select_related("round", "student").first()


def check_for_student(student: Student, verification_round: VerificationRound) -> ProfileCheck | None:
    """The student's check in the round; one is made for an enrolled student added after the round
    opened (not an audited change: it records no answer)."""
    check = ProfileCheck.objects.filter(round=verification_round, student=student).first()
    if check is not None or not verification_round.is_open or student.status != EnrolmentStatus.ENROLLED:
        return check
    try:
        with transaction.atomic():
            return ProfileCheck.objects.create(school=student.school, round=verification_round, student=student)
    except IntegrityError:  # made by a simultaneous request
        return ProfileCheck.objects.get(round=verification_round, student=student)


# --- services ------------------------------------------------------------------------------------


def verification_round_open(*, actor: Actor, school: School, term: Term, closes_on: datetime.date) -> VerificationRound:
    """Open the term's round and make a pending check for every enrolled student."""
    effective = authorise(actor, school, MANAGE)
    if term.school_id != school.pk:
        raise ServiceError(_("Choose a term from the list."), field="term")
    if VerificationRound.objects.filter(term=term).exists():
        raise ServiceError(_("A verification round for this term already exists."), field="term")
    if closes_on < term.starts_on:
        raise ServiceError(_("The round cannot close before the term starts."), field="closes_on")
    with transaction.atomic():
        verification_round = VerificationRound.objects.create(
            school=school, term=term, opened_by=actor.user, closes_on=closes_on
        )
        students = Student.objects.filter(school=school, status=EnrolmentStatus.ENROLLED).values_list("pk", flat=True)
        ProfileCheck.objects.bulk_create(
            [ProfileCheck(school=school, round=verification_round, student_id=pk) for pk in students],
            batch_size=500,
        )
        record(
            actor=effective,
            school=school,
            action="verification.open",
            obj=verification_round,
            changes={"term": str(term), "closes_on": closes_on, "checks": len(students)},
        )
    return verification_round


def verification_round_close(*, actor: Actor, verification_round: VerificationRound) -> VerificationRound:
    school = verification_round.school
    effective = authorise(actor, school, MANAGE)
    with transaction.atomic():
        verification_round = VerificationRound.objects.select_for_update().get(pk=verification_round.pk)
        if not verification_round.is_open:
            raise ServiceError(_("This verification round is already closed."))
        verification_round.closed_at = timezone.now()
        verification_round.save(update_fields=["closed_at"])
        record(actor=effective, school=school, action="verification.close", obj=verification_round)
    return verification_round


def _student_answer(actor: Actor, check: ProfileCheck) -> ProfileCheck:
    """Lock the check; refuse anyone but the student and a closed round."""
    if actor.user is None or check.student.user_id != actor.user.pk:
        raise ServiceError(_("Only the student themself can answer for their profile."))
    check = ProfileCheck.objects.select_for_update().select_related("round", "student").get(pk=check.pk)
    if not check.round.is_open:
        raise ServiceError(_("This verification round is closed; ask the registry to correct your profile."))
    return check


def profile_confirm(*, actor: Actor, check: ProfileCheck) -> ProfileCheck:
    """The student says their profile is right."""
    with transaction.atomic():
        check = _student_answer(actor, check)
        before = check.status
        check.status = CheckStatus.CONFIRMED
        check.confirmed_at = timezone.now()
        check.save(update_fields=["status", "confirmed_at"])
        record(
            actor=actor,
            school=check.school,
            action="verification.confirm",
            obj=check,
            changes={"status": [before, check.status]},
        )
    return check


def profile_report(*, actor: Actor, check: ProfileCheck, text: str) -> ProfileCheck:
    """The student says what is wrong; the registry sees it among the open reports."""
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Write what is wrong with your profile."), field="text")
    if len(text) > REPORT_MAX_CHARS:
        raise ServiceError(_("Keep the report within %(max)d characters.") % {"max": REPORT_MAX_CHARS}, field="text")
    with transaction.atomic():
        check = _student_answer(actor, check)
        before = check.status
        check.status = CheckStatus.REPORTED
        check.report_text = text
        check.reported_at = timezone.now()
        check.resolved_by = None
        check.resolved_at = None
        check.resolution_note = ""
        check.save(
            update_fields=["status", "report_text", "reported_at", "resolved_by", "resolved_at", "resolution_note"]
        )
        record(
            actor=actor,
            school=check.school,
            action="verification.report",
            obj=check,
            changes={"status": [before, check.status], "report_text": text},
        )
    return check


def profile_report_resolve(*, actor: Actor, check: ProfileCheck, note: str) -> ProfileCheck:
    """The registry has corrected the profile (on the student edit page) and closes the report."""
    school = check.school
    effective = authorise(actor, school, MANAGE)
    note = (note or "").strip()
    if len(note) > REPORT_MAX_CHARS:
        raise ServiceError(_("Keep the note within %(max)d characters.") % {"max": REPORT_MAX_CHARS}, field="note")
    with transaction.atomic():
        check = ProfileCheck.objects.select_for_update().get(pk=check.pk)
        if check.status != CheckStatus.REPORTED:
            raise ServiceError(_("Only a reported problem can be resolved."))
        check.status = CheckStatus.RESOLVED
        check.resolved_by = actor.user
        check.resolved_at = timezone.now()
        check.resolution_note = note
        check.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
        record(
            actor=effective,
            school=school,
            action="verification.resolve",
            obj=check,
            changes={"status": [CheckStatus.REPORTED.value, check.status], "note": note},
        )
    return check
