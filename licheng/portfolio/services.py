"""Every change to course outcomes: upload, edit, withdraw, certify, select, and the school's
reason table and window extensions.

Caps (per term, per year, selected per year) are checked with the student's row locked
(``select_for_update``; on SQLite the IMMEDIATE transaction mode serialises writers), so two
requests at once (two tabs, a double click) cannot both pass the last free place.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission
from licheng.courses.models import Course, Enrolment
from licheng.credentials.services import credential_issue
from licheng.files.services import files_ingest
from licheng.lifecycle.selectors import ensure_may_upload
from licheng.notifications.models import Category
from licheng.notifications.services import notify
from licheng.people.models import Student, User
from licheng.people.sealing import ensure_not_sealed
from licheng.portfolio.models import (
    CertificationReason,
    CourseOutcome,
    CourseOutcomeFile,
    CourseOutcomeSelection,
    CourseOutcomeVersion,
    VersionState,
    WindowExtension,
    WindowKind,
)
from licheng.portfolio.selectors import certifier_map
from licheng.portfolio.windows import selection_open, window_open
from licheng.schools.selectors import rules_for

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from licheng.files.models import StoredFile
    from licheng.schools.models import School, SchoolClass, Term

MB = 1024 * 1024

DEFAULT_REASONS = (
    ("01", gettext_noop("Not related to this course"), False),
    ("02", gettext_noop("The file cannot be opened or read"), False),
    ("03", gettext_noop("Not the student's own work"), False),
    ("99", gettext_noop("Other"), True),
)


def ensure_default_reasons(school: School) -> None:
    """Give a school the default reason table the first time it is needed (labels in Chinese, the
    school's language; the school may change them)."""
    if CertificationReason.objects.filter(school=school).exists():
        return
    from django.utils import translation

    with translation.override("zh-hant"):
        CertificationReason.objects.bulk_create(
            CertificationReason(school=school, code=code, label=_(label), requires_text=requires_text)
            for code, label, requires_text in DEFAULT_REASONS
        )


# --- helpers --------------------------------------------------------------------------------------


def _lock_student(student: Student) -> Student:
    """Serialise every cap-checked change of one student."""
    return Student.objects.select_for_update().get(pk=student.pk)


def _own_student(actor: Actor, student: Student) -> None:
    if actor.user is None or student.user_id != actor.user.pk:
        raise ServiceError(_("Only the student themself can change their course outcomes."))


def _check_description(description: str, school: School, term: Term) -> str:
    description = (description or "").strip()
    limit = rules_for(school, term.academic_year).description_max_chars
    if not description:
        raise ServiceError(_("Write a short description of the work."), field="description")
    if len(description) > limit:
        raise ServiceError(
            _("The description is %(length)d characters long; at most %(limit)d are allowed.")
            % {"length": len(description), "limit": limit},
            field="description",
        )
    return description


def _check_upload_window(actor: Actor, term: Term) -> None:
    if not window_open("upload", term, actor.user):
        raise ServiceError(_("The upload window for term %(term)s is not open.") % {"term": term.label})


def _ingest(actor: Actor, school: School, term: Term, uploads: Sequence[UploadedFile]) -> list[StoredFile]:
    return files_ingest(actor=actor, school=school, uploads=uploads, rules=rules_for(school, term.academic_year))


def _attach(version: CourseOutcomeVersion, files: Iterable[StoredFile], start: int = 0) -> None:
    CourseOutcomeFile.objects.bulk_create(
        CourseOutcomeFile(school_id=version.school_id, version=version, stored_file=f, position=start + i)
        for i, f in enumerate(files)
    )


# --- upload, edit, withdraw -----------------------------------------------------------------------


@transaction.atomic
def course_outcome_upload(
    *, actor: Actor, student: Student, course: Course, description: str, uploads: Sequence[UploadedFile]
) -> CourseOutcome:
    _own_student(actor, student)
    ensure_may_upload(student)
    term = course.term
    if not Enrolment.objects.filter(school_id=student.school_id, course=course, student=student).exists():
        raise ServiceError(_("You are not enrolled in this course."), field="course")
    if not course.is_credit_bearing:
        raise ServiceError(_("Course outcomes are only for credit-bearing courses."), field="course")
    _check_upload_window(actor, term)
    description = _check_description(description, student.school, term)
    if not uploads:
        raise ServiceError(_("Choose at least one file."), field="files")
    student = _lock_student(student)
    rules = rules_for(student.school, term.academic_year)
    live = CourseOutcome.objects.filter(school_id=student.school_id, student=student, withdrawn_at__isnull=True)
    if live.filter(term=term).count() >= rules.course_outcomes_per_term:
        raise ServiceError(
            _("You have already uploaded %(cap)d course outcomes this term, the most allowed.")
            % {"cap": rules.course_outcomes_per_term}
        )
    if live.filter(academic_year_id=term.academic_year_id).count() >= rules.course_outcomes_per_year:
        raise ServiceError(
            _("You have already uploaded %(cap)d course outcomes this academic year, the most allowed.")
            % {"cap": rules.course_outcomes_per_year}
        )
    files = _ingest(actor, student.school, term, uploads)
    outcome = CourseOutcome.objects.create(
        school_id=student.school_id, student=student, course=course, term=term, academic_year_id=term.academic_year_id
    )
    version = CourseOutcomeVersion.objects.create(
        school_id=student.school_id, outcome=outcome, number=1, description=description
    )
    _attach(version, files)
    record(
        actor=actor,
        school=student.school,
        action="course_outcome.upload",
        obj=outcome,
        changes={"course": course.pk, "description": description, "files": [f.pk for f in files]},
    )
    return outcome


@transaction.atomic
def course_outcome_edit(
    *,
    actor: Actor,
    outcome: CourseOutcome,
    description: str,
    uploads: Sequence[UploadedFile] = (),
    remove_file_ids: Iterable[int] = (),
) -> CourseOutcomeVersion:
    """Change the description or files. A pending version changes in place; a decided one stays as
    it is and the change becomes a new pending version that needs certifying again."""
    _own_student(actor, outcome.student)
    ensure_may_upload(_lock_student(outcome.student))
    outcome = CourseOutcome.objects.select_related("term__academic_year", "school").get(pk=outcome.pk)
    if outcome.withdrawn_at is not None:
        raise ServiceError(_("This course outcome has been withdrawn."))
    _check_upload_window(actor, outcome.term)
    description = _check_description(description, outcome.school, outcome.term)
    current = outcome.versions.order_by("-number").first()
    assert current is not None
    removed = set(remove_file_ids)
    kept = [f for f in current.outcome_files.order_by("position", "pk") if f.stored_file_id not in removed]
    if not kept and not uploads:
        raise ServiceError(_("Keep or add at least one file."), field="files")
    new_files = _ingest(actor, outcome.school, outcome.term, uploads)
    if current.state == VersionState.PENDING:
        before: dict[str, object] = {
            "description": current.description,
            "files": [f.stored_file_id for f in current.outcome_files.all()],
        }
        current.description = description
        current.save(update_fields=["description"])
        current.outcome_files.exclude(pk__in=[f.pk for f in kept]).delete()
        _attach(current, new_files, start=max((f.position for f in kept), default=-1) + 1)
        version = current
    else:
        before = {"version": current.number}
        version = CourseOutcomeVersion.objects.create(
            school_id=outcome.school_id, outcome=outcome, number=current.number + 1, description=description
        )
        _attach(version, [f.stored_file for f in kept] + new_files)
    record(
        actor=actor,
        school=outcome.school,
        action="course_outcome.edit",
        obj=outcome,
        changes={
            "before": before,
            "version": version.number,
            "description": description,
            "files": list(version.outcome_files.values_list("stored_file_id", flat=True)),
        },
    )
    return version


@transaction.atomic
def course_outcome_withdraw(*, actor: Actor, outcome: CourseOutcome) -> None:
    _own_student(actor, outcome.student)
    ensure_not_sealed(_lock_student(outcome.student))
    outcome = CourseOutcome.objects.select_related("term", "school").get(pk=outcome.pk)
    if outcome.withdrawn_at is not None:
        raise ServiceError(_("This course outcome has already been withdrawn."))
    if outcome.versions.filter(state=VersionState.PASSED).exists():
        raise ServiceError(_("A certified course outcome cannot be withdrawn; you can upload a new version instead."))
    _check_upload_window(actor, outcome.term)
    outcome.withdrawn_at = timezone.now()
    outcome.save(update_fields=["withdrawn_at"])
    record(actor=actor, school=outcome.school, action="course_outcome.withdraw", obj=outcome)


# --- certification --------------------------------------------------------------------------------


def _principal_for(actor: Actor, course: Course) -> User:
    if actor.user is None:
        raise ServiceError(_("You do not teach this course and are not a proxy for its teacher."))
    principal = certifier_map(actor.user, course.school).get(course.pk)
    if principal is None:
        raise ServiceError(_("You do not teach this course and are not a proxy for its teacher."))
    return principal


@transaction.atomic
def course_outcome_decide(
    *,
    actor: Actor,
    version: CourseOutcomeVersion,
    passed: bool,
    reason: CertificationReason | None = None,
    reason_text: str = "",
) -> CourseOutcomeVersion:
    """Pass, or not pass with a reason. Certification confirms authorship and course; it never grades."""
    version = (
        CourseOutcomeVersion.objects.select_for_update()
        .select_related("outcome__course__school", "outcome__term", "outcome__student__user")
        .get(pk=version.pk)
    )
    outcome = version.outcome
    course = outcome.course
    principal = _principal_for(actor, course)
    ensure_not_sealed(outcome.student)
    if not window_open("certification", outcome.term, actor.user):
        raise ServiceError(_("The certification window for term %(term)s is not open.") % {"term": outcome.term.label})
    if outcome.withdrawn_at is not None:
        raise ServiceError(_("The student has withdrawn this course outcome."))
    if version.state != VersionState.PENDING or outcome.versions.filter(number__gt=version.number).exists():
        raise ServiceError(_("This version has already been decided or replaced by a newer one."))
    reason_text = (reason_text or "").strip()
    if passed:
        reason, reason_text = None, ""
    else:
        if reason is None or reason.school_id != course.school_id or not reason.active:
            raise ServiceError(_("Choose a reason for not passing."), field="reason")
        if reason.requires_text and not reason_text:
            raise ServiceError(_("This reason needs an explanation."), field="reason_text")
        if len(reason_text) > 200:
            raise ServiceError(_("The explanation can be at most 200 characters."), field="reason_text")
    acting = actor.acting_for(principal)
    version.state = VersionState.PASSED if passed else VersionState.NOT_PASSED
    version.decided_by = actor.user
    version.decided_on_behalf_of = acting.on_behalf_of
    version.decided_at = timezone.now()
    version.reason = reason
    version.reason_text = reason_text
    version.save(update_fields=["state", "decided_by", "decided_on_behalf_of", "decided_at", "reason", "reason_text"])
    record(
        actor=acting,
        school=course.school,
        action="course_outcome.pass" if passed else "course_outcome.not_pass",
        obj=version,
        changes={"outcome": outcome.pk, "reason": reason.code if reason else None, "reason_text": reason_text},
    )
    if passed:
        credential_issue(actor=acting, version=version)
    link = reverse("portfolio:outcome_detail", args=[outcome.pk])
    # each notice names its item, so that two outcomes of one course do not read the same
    item = version.description.strip()
    item = item if len(item) <= 30 else item[:29] + "…"
    if passed:
        notify(
            user=outcome.student.user,
            message=gettext_noop("Your course outcome “{item}” for {course} (version {number}) was certified."),
            params={"course": course.subject_name, "item": item, "number": version.number},
            link=link,
            category=Category.RESULT,
        )
    else:
        notify(
            user=outcome.student.user,
            message=gettext_noop(
                "Your course outcome “{item}” for {course} (version {number}) was not passed: {reason}"
            ),
            params={
                "course": course.subject_name,
                "item": item,
                "number": version.number,
                "reason": f"{reason.label} {reason_text}".strip(),  # type: ignore[union-attr]
            },
            link=link,
            category=Category.RESULT,
        )
    return version


def course_outcome_pass_many(*, actor: Actor, versions: Sequence[CourseOutcomeVersion]) -> tuple[int, list[str]]:
    """Pass each version on its own (a savepoint each): one that cannot pass (withdrawn meanwhile,
    already decided) is reported and does not stop the others. Returns (passed, problems)."""
    passed = 0
    problems: list[str] = []
    with transaction.atomic():
        for version in versions:
            try:
                with transaction.atomic():
                    course_outcome_decide(actor=actor, version=version, passed=True)
                passed += 1
            except ServiceError as error:
                problems.append(f"{version.outcome.student.name}: {error.message}")
    return passed, problems


# --- selection ------------------------------------------------------------------------------------


@transaction.atomic
def course_outcome_select(*, actor: Actor, outcome: CourseOutcome) -> CourseOutcomeSelection:
    _own_student(actor, outcome.student)
    student = _lock_student(outcome.student)
    ensure_may_upload(student)
    outcome = CourseOutcome.objects.select_related("academic_year", "school").get(pk=outcome.pk)
    if not selection_open(outcome.academic_year, actor.user):
        raise ServiceError(_("The selection window is not open."))
    if outcome.withdrawn_at is not None:
        raise ServiceError(_("This course outcome has been withdrawn."))
    certified = outcome.versions.filter(state=VersionState.PASSED).order_by("-number").first()
    if certified is None:
        raise ServiceError(_("Only certified course outcomes can be selected."))
    existing = CourseOutcomeSelection.objects.filter(outcome=outcome).first()
    if existing is not None:
        return existing
    cap = rules_for(outcome.school, outcome.academic_year).course_outcomes_selected
    taken = CourseOutcomeSelection.objects.filter(
        school_id=student.school_id, student=student, academic_year=outcome.academic_year
    ).count()
    if taken >= cap:
        raise ServiceError(
            _("You have already selected %(cap)d course outcomes this academic year, the most allowed.") % {"cap": cap}
        )
    selection = CourseOutcomeSelection.objects.create(
        school_id=student.school_id,
        student=student,
        academic_year=outcome.academic_year,
        outcome=outcome,
        version=certified,
    )
    record(
        actor=actor,
        school=outcome.school,
        action="course_outcome.select",
        obj=outcome,
        changes={"version": certified.number},
    )
    return selection


@transaction.atomic
def course_outcome_unselect(*, actor: Actor, outcome: CourseOutcome) -> None:
    _own_student(actor, outcome.student)
    ensure_not_sealed(_lock_student(outcome.student))
    outcome = CourseOutcome.objects.select_related("academic_year", "school").get(pk=outcome.pk)
    if not selection_open(outcome.academic_year, actor.user):
        raise ServiceError(_("The selection window is not open."))
    deleted, _rows = CourseOutcomeSelection.objects.filter(outcome=outcome).delete()
    if deleted:
        record(actor=actor, school=outcome.school, action="course_outcome.unselect", obj=outcome)


# --- reasons, extensions, reminders ---------------------------------------------------------------


@transaction.atomic
def certification_reason_save(
    *,
    actor: Actor,
    school: School,
    code: str,
    label: str,
    requires_text: bool = False,
    active: bool = True,
) -> CertificationReason:
    if actor.user is None or not has_permission(actor.user, school, "portfolio.manage_reasons"):
        raise ServiceError(_("You may not change the reason table."))
    code, label = (code or "").strip(), (label or "").strip()
    if not code or len(code) > 10:
        raise ServiceError(_("A code is 1 to 10 characters."), field="code")
    if not label or len(label) > 100:
        raise ServiceError(_("A reason is 1 to 100 characters."), field="label")
    ensure_default_reasons(school)
    reason = CertificationReason.objects.filter(school=school, code=code).first()
    before = {}
    if reason is None:
        reason = CertificationReason(school=school, code=code)
    else:
        before = {"label": reason.label, "requires_text": reason.requires_text, "active": reason.active}
    reason.label, reason.requires_text, reason.active = label, requires_text, active
    reason.save()
    record(
        actor=actor,
        school=school,
        action="certification_reason.save",
        obj=reason,
        changes={"before": before, "label": label, "requires_text": requires_text, "active": active},
    )
    return reason


@transaction.atomic
def window_extension_grant(
    *, actor: Actor, user: User, kind: str, term: Term, until: datetime.date, reason: str
) -> WindowExtension:
    school = term.school
    if actor.user is None or not has_permission(actor.user, school, "portfolio.grant_extensions"):
        raise ServiceError(_("You may not extend windows."))
    if kind not in WindowKind.values:
        raise ServiceError(_("Choose a window."), field="kind")
    if user.school_id != school.pk:
        raise ServiceError(_("This person is not in your school."), field="user")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give a reason for the extension."), field="reason")
    if until < timezone.localdate():
        raise ServiceError(_("The extension must end today or later."), field="until")
    extension = WindowExtension.objects.create(
        school=school, user=user, kind=kind, term=term, until=until, reason=reason[:200], granted_by=actor.user
    )
    record(
        actor=actor,
        school=school,
        action="window_extension.grant",
        obj=extension,
        changes={"user": user.pk, "kind": kind, "term": term.label, "until": until.isoformat(), "reason": reason},
    )
    return extension


@transaction.atomic
def window_extension_revoke(*, actor: Actor, extension: WindowExtension) -> None:
    """Take back an extension granted by mistake; the audit entry keeps what it was."""
    school = extension.school
    if actor.user is None or not has_permission(actor.user, school, "portfolio.grant_extensions"):
        raise ServiceError(_("You may not extend windows."))
    record(
        actor=actor,
        school=school,
        action="window_extension.revoke",
        obj=extension,
        changes={
            "user": extension.user_id,
            "kind": extension.kind,
            "term": extension.term_id,
            "until": extension.until.isoformat(),
            "reason": extension.reason,
        },
    )
    extension.delete()


@transaction.atomic
def reminder_send(*, actor: Actor, school_class: SchoolClass, students: Sequence[Student]) -> int:
    """A homeroom teacher reminds students of their class about their course outcomes."""
    if actor.user is None or school_class.homeroom_teacher_id != actor.user.pk:
        raise ServiceError(_("Only the class's homeroom teacher can send reminders."))
    students = [s for s in students if s.school_class_id == school_class.pk]
    if not students:
        raise ServiceError(_("Choose at least one student."))
    link = reverse("portfolio:my_outcomes")
    for student in students:
        notify(
            user=student.user,
            message=gettext_noop("Your homeroom teacher reminds you to upload, check and select your course outcomes."),
            link=link,
            category=Category.REMINDER,
        )
    record(
        actor=actor,
        school=school_class.school,
        action="course_outcome.remind",
        obj=school_class,
        changes={"students": [s.pk for s in students]},
    )
    return len(students)
