"""Every change to the working group's records."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record, snapshot
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission
from licheng.schools import rocdate
from licheng.workinggroup.models import (
    Audience,
    Evaluation,
    EvaluationKind,
    GroupRole,
    Meeting,
    MeetingAttachment,
    Member,
    Training,
    TrainingKind,
)

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School, Term

MAX_ATTACHMENTS = 10
MB = 1024 * 1024


def _require(actor: Actor, school: School) -> User:
    user = actor.user
    if user is None or not has_permission(user, school, "workinggroup.manage"):
        raise ServiceError(_("You may not change the working group's records."))
    return user


def _text(value: str, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_("Enter {what}.").format(what=label), field=field)
    if len(value) > max_length:
        raise ServiceError(_("{what} may be at most {n} characters.").format(what=label, n=max_length), field=field)
    return value


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ServiceError(_("Choose one of the listed options."), field=field)
    return value


def member_add(
    *,
    actor: Actor,
    school: School,
    name: str,
    position: str,
    group_role: str,
    joined_on: datetime.date,
    duties: str = "",
    user: User | None = None,
) -> Member:
    _require(actor, school)
    name = _text(name, "name", _("a name"), 60)
    position = _text(position, "position", _("a position"), 60)
    group_role = _choice(group_role, GroupRole, "group_role")
    duties = _text(duties, "duties", _("duties"), 200, required=False)
    if user is not None and user.school_id != school.pk:
        raise ServiceError(_("Choose a person of this school."), field="user")
    with transaction.atomic():
        if (
            group_role == GroupRole.CONVENER
            and Member.objects.filter(school=school, group_role=GroupRole.CONVENER, left_on__isnull=True).exists()
        ):
            raise ServiceError(_("The group already has a convener; record that they left first."), field="group_role")
        member = Member.objects.create(
            school=school,
            name=name,
            position=position,
            group_role=group_role,
            duties=duties,
            user=user,
            joined_on=joined_on,
        )
        record(
            actor=actor,
            school=school,
            action="workinggroup.member_add",
            obj=member,
            changes=snapshot(member, ["name", "position", "group_role", "duties", "joined_on", "user"]),
        )
    return member


def member_leave(*, actor: Actor, member: Member, left_on: datetime.date | None = None) -> Member:
    _require(actor, member.school)
    left_on = left_on or timezone.localdate()
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.left_on is not None:
            raise ServiceError(_("This member has already left the group."))
        if left_on < member.joined_on:
            raise ServiceError(_("A member cannot leave before joining."), field="left_on")
        member.left_on = left_on
        member.save(update_fields=["left_on"])
        record(
            actor=actor,
            school=member.school,
            action="workinggroup.member_leave",
            obj=member,
            changes={"left_on": left_on},
        )
    return member


def _term_of(school: School, day: datetime.date) -> Term:
    from licheng.schools.models import Term

    term = Term.objects.filter(school=school, starts_on__lte=day, ends_on__gte=day).first()
    if term is None:
        raise ServiceError(
            _("No term of this school contains {date}; add the term first.").format(date=rocdate.format_roc(day)),
            field="held_on",
        )
    return term


def _ingest(actor: Actor, school: School, uploads: Sequence[UploadedFile]) -> list[Any]:
    from licheng.files.services import files_ingest
    from licheng.schools.selectors import current_term, rules_for

    term = current_term(school)
    rules = rules_for(school, term.academic_year if term else None)
    return files_ingest(
        actor=actor, school=school, uploads=uploads, rules=rules, kinds=("document",), field="attachments"
    )


def meeting_record(
    *,
    actor: Actor,
    school: School,
    held_on: datetime.date,
    title: str,
    agenda: str,
    place: str = "",
    minutes: str = "",
    decisions: str = "",
    attendance: int | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Meeting:
    """Record a meeting (its term is the one containing its date), with PDF/JPG/PNG attachments."""
    user = _require(actor, school)
    title = _text(title, "title", _("a title"), 120)
    agenda = _text(agenda, "agenda", _("the agenda"), 5000)
    place = _text(place, "place", _("the place"), 100, required=False)
    minutes = _text(minutes, "minutes", _("the minutes"), 20000, required=False)
    decisions = _text(decisions, "decisions", _("the decisions"), 5000, required=False)
    if len(attachments) > MAX_ATTACHMENTS:
        raise ServiceError(_("At most {n} attachments.").format(n=MAX_ATTACHMENTS), field="attachments")
    term = _term_of(school, held_on)
    with transaction.atomic():
        files = _ingest(actor, school, attachments)
        meeting = Meeting.objects.create(
            school=school,
            term=term,
            held_on=held_on,
            title=title,
            place=place,
            agenda=agenda,
            minutes=minutes,
            decisions=decisions,
            attendance=attendance,
            created_by=user,
        )
        MeetingAttachment.objects.bulk_create(
            MeetingAttachment(school=school, meeting=meeting, stored_file=f) for f in files
        )
        record(
            actor=actor,
            school=school,
            action="workinggroup.meeting_record",
            obj=meeting,
            changes={
                **snapshot(meeting, ["held_on", "title", "place", "agenda", "minutes", "decisions", "attendance"]),
                "files": [f.pk for f in files],
            },
        )
    return meeting


def meeting_attach(*, actor: Actor, meeting: Meeting, attachments: Sequence[UploadedFile]) -> list[MeetingAttachment]:
    _require(actor, meeting.school)
    if not attachments:
        raise ServiceError(_("Choose at least one file."), field="attachments")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.attachments.count() + len(attachments) > MAX_ATTACHMENTS:
            raise ServiceError(_("At most {n} attachments.").format(n=MAX_ATTACHMENTS), field="attachments")
        files = _ingest(actor, meeting.school, attachments)
        rows = MeetingAttachment.objects.bulk_create(
            MeetingAttachment(school=meeting.school, meeting=meeting, stored_file=f) for f in files
        )
        record(
            actor=actor,
            school=meeting.school,
            action="workinggroup.meeting_attach",
            obj=meeting,
            changes={"files": [f.pk for f in files]},
        )
    return rows


def training_record(
    *,
    actor: Actor,
    school: School,
    kind: str,
    audience: str,
    held_on: datetime.date,
    title: str,
    attendance_count: int,
    attendees: str = "",
    note: str = "",
) -> Training:
    user = _require(actor, school)
    kind = _choice(kind, TrainingKind, "kind")
    audience = _choice(audience, Audience, "audience")
    title = _text(title, "title", _("a title"), 120)
    attendees = _text(attendees, "attendees", _("the attendance list"), 10000, required=False)
    note = _text(note, "note", _("the note"), 500, required=False)
    if attendance_count < 0:
        raise ServiceError(_("Attendance cannot be negative."), field="attendance_count")
    listed = [line for line in attendees.replace("、", "\n").splitlines() if line.strip()]
    if listed and len(listed) > attendance_count:
        raise ServiceError(
            _("The attendance list names {listed} people but the attendance is {count}.").format(
                listed=len(listed), count=attendance_count
            ),
            field="attendance_count",
        )
    with transaction.atomic():
        training = Training.objects.create(
            school=school,
            kind=kind,
            audience=audience,
            held_on=held_on,
            title=title,
            attendance_count=attendance_count,
            attendees=attendees,
            note=note,
            created_by=user,
        )
        record(
            actor=actor,
            school=school,
            action="workinggroup.training_record",
            obj=training,
            changes=snapshot(training, ["kind", "audience", "held_on", "title", "attendance_count", "note"]),
        )
    return training


def evaluation_record(
    *,
    actor: Actor,
    school: School,
    kind: str,
    recorded_on: datetime.date,
    title: str,
    content: str,
    persons: str = "",
    outcome: str = "",
) -> Evaluation:
    user = _require(actor, school)
    kind = _choice(kind, EvaluationKind, "kind")
    title = _text(title, "title", _("a title"), 120)
    content = _text(content, "content", _("the content"), 5000)
    persons = _text(persons, "persons", _("the persons"), 500, required=kind == EvaluationKind.AWARD)
    outcome = _text(outcome, "outcome", _("the outcome"), 200, required=False)
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            school=school,
            kind=kind,
            recorded_on=recorded_on,
            title=title,
            content=content,
            persons=persons,
            outcome=outcome,
            created_by=user,
        )
        record(
            actor=actor,
            school=school,
            action="workinggroup.evaluation_record",
            obj=evaluation,
            changes=snapshot(evaluation, ["kind", "recorded_on", "title", "persons", "outcome"]),
        )
    return evaluation


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason for deleting it."), field="reason")
    if len(reason) > 200:
        raise ServiceError(_("Keep the reason under 200 characters."), field="reason")
    return reason


def meeting_delete(*, actor: Actor, meeting: Meeting, reason: str) -> None:
    """Delete a meeting recorded by mistake, with its attachments' links (the stored files stay in
    storage, as every stored file does); the audit entry keeps what it was and why it went."""
    _require(actor, meeting.school)
    reason = _reason(reason)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        record(
            actor=actor,
            school=meeting.school,
            action="workinggroup.meeting_delete",
            obj=meeting,
            changes={
                **snapshot(meeting, ["held_on", "title", "place", "agenda", "decisions", "attendance"]),
                "files": list(meeting.attachments.values_list("stored_file_id", flat=True)),
                "reason": reason,
            },
        )
        meeting.delete()


def training_delete(*, actor: Actor, training: Training, reason: str) -> None:
    """Delete a training or briefing recorded by mistake; the audit entry keeps what it was."""
    _require(actor, training.school)
    reason = _reason(reason)
    with transaction.atomic():
        training = Training.objects.select_for_update().get(pk=training.pk)
        record(
            actor=actor,
            school=training.school,
            action="workinggroup.training_delete",
            obj=training,
            changes={
                **snapshot(training, ["kind", "audience", "held_on", "title", "attendance_count", "note"]),
                "reason": reason,
            },
        )
        training.delete()


def meeting_warnings(school: School, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """Terms of the current academic year that have started and have fewer meetings than the school's
    rule (``working_group_meetings_per_term``). Three queries."""
    from django.db.models import Count

    from licheng.schools.models import Term
    from licheng.schools.selectors import current_term, rules_for

    today = today or timezone.localdate()
    term = current_term(school, today)
    if term is None:
        return []
    required = rules_for(school, term.academic_year).working_group_meetings_per_term
    if not required:
        return []
    terms = list(
        Term.objects.filter(school=school, academic_year=term.academic_year, starts_on__lte=today).select_related(
            "academic_year"
        )
    )
    counts = dict(
        Meeting.objects.filter(school=school, term__in=terms).values_list("term_id").annotate(n=Count("id")).order_by()
    )
    return [
        {"term": t, "meetings": counts.get(t.pk, 0), "required": required}
        for t in sorted(terms, key=lambda t: t.starts_on)
        if counts.get(t.pk, 0) < required
    ]
