"""Every change to counselling records."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.counselling import selectors
from licheng.counselling.models import (
    CounsellingAttachment,
    CounsellingParticipant,
    CounsellingSession,
    SessionKind,
)
from licheng.people.models import Student
from licheng.people.sealing import ensure_not_sealed
from licheng.people.selectors import may

if TYPE_CHECKING:
    from licheng.files.models import StoredFile
    from licheng.people.models import User
    from licheng.schools.models import School

MB = 1024 * 1024
MAX_ATTACHMENTS = 5


def _actor_user(actor: Actor) -> User:
    if actor.user is None:
        raise ServiceError(_("You do not have permission for this."))
    return actor.user


def _check(
    *,
    actor: Actor,
    school: School,
    counsellor: User,
    kind: str,
    students: Sequence[Student],
    starts_at: datetime.time | None,
    ends_at: datetime.time | None,
    content: str,
) -> Actor:
    """Refusals the user can fix; returns the actor to record (on behalf of the counsellor)."""
    user = _actor_user(actor)
    if kind not in SessionKind.values:
        raise ServiceError(_("Choose individual or group."), field="kind")
    if not students:
        raise ServiceError(_("Choose at least one student."), field="participants")
    if any(s.school_id != school.pk for s in students):
        raise ServiceError(_("A student of another school cannot take part."), field="participants")
    for student in students:
        ensure_not_sealed(student)
    if kind == SessionKind.INDIVIDUAL and len(students) != 1:
        raise ServiceError(_("An individual session has exactly one student."), field="participants")
    if starts_at and ends_at and ends_at <= starts_at:
        raise ServiceError(_("The session must end after it starts."), field="ends_at")
    if not content.strip():
        raise ServiceError(_("Write what the session was about."), field="content")
    if counsellor.school_id != school.pk:
        raise ServiceError(_("You do not have permission for this."))
    if may(user, school, "counselling.manage"):
        return actor if counsellor == user else actor.acting_for(counsellor)
    if counsellor.pk not in {u.pk for u in selectors.counsellors_for(user, school)}:
        raise ServiceError(_("You do not have permission for this."))
    allowed = set(
        Student.objects.filter(
            school=school, school_class__counsellor=counsellor, pk__in=[s.pk for s in students]
        ).values_list("pk", flat=True)
    )
    outside = [s for s in students if s.pk not in allowed]
    if outside:
        raise ServiceError(
            _("%(names)s is not in a class you counsel.") % {"names": "、".join(s.name for s in outside)},
            field="participants",
        )
    return actor if counsellor == user else actor.acting_for(counsellor)


def _ingest(actor: Actor, school: School, uploads: Sequence[UploadedFile]) -> list[StoredFile]:
    from licheng.files.services import files_ingest
    from licheng.schools.selectors import current_term, rules_for

    term = current_term(school)
    rules = rules_for(school, term.academic_year if term else None)
    return files_ingest(
        actor=actor, school=school, uploads=uploads, rules=rules, kinds=("document",), field="attachments"
    )


def _summary(session: CounsellingSession, students: Sequence[Student]) -> dict[str, Any]:
    # The audit trail names who and when, never the content of a counselling session.
    return {
        "kind": session.kind,
        "held_on": session.held_on.isoformat(),
        "counsellor": session.counsellor_id,
        "students": sorted(s.pk for s in students),
    }


@transaction.atomic
def counselling_session_create(
    *,
    actor: Actor,
    school: School,
    counsellor: User,
    kind: str,
    held_on: datetime.date,
    students: Sequence[Student],
    content: str,
    advice: str = "",
    place: str = "",
    starts_at: datetime.time | None = None,
    ends_at: datetime.time | None = None,
    uploads: Sequence[UploadedFile] = (),
) -> CounsellingSession:
    students = list(dict.fromkeys(students))
    recorded_by = _check(
        actor=actor,
        school=school,
        counsellor=counsellor,
        kind=kind,
        students=students,
        starts_at=starts_at,
        ends_at=ends_at,
        content=content,
    )
    if len(uploads) > MAX_ATTACHMENTS:
        raise ServiceError(_("At most %(limit)s attachments.") % {"limit": MAX_ATTACHMENTS}, field="attachments")
    session = CounsellingSession.objects.create(
        school=school,
        counsellor=counsellor,
        kind=kind,
        held_on=held_on,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        content=content.strip(),
        advice=advice.strip(),
    )
    CounsellingParticipant.objects.bulk_create(
        CounsellingParticipant(school=school, session=session, student=s) for s in students
    )
    _attach(recorded_by, school, session, uploads)
    record(
        actor=recorded_by,
        school=school,
        action="counselling.session_create",
        obj=session,
        changes=_summary(session, students),
    )
    return session


def _attach(actor: Actor, school: School, session: CounsellingSession, uploads: Sequence[UploadedFile]) -> None:
    stored = _ingest(actor, school, uploads)
    CounsellingAttachment.objects.bulk_create(
        CounsellingAttachment(school=school, session=session, stored_file=f) for f in stored
    )


@transaction.atomic
def counselling_session_update(
    *,
    actor: Actor,
    session: CounsellingSession,
    kind: str,
    held_on: datetime.date,
    students: Sequence[Student],
    content: str,
    advice: str = "",
    place: str = "",
    starts_at: datetime.time | None = None,
    ends_at: datetime.time | None = None,
    uploads: Sequence[UploadedFile] = (),
    remove_attachments: Sequence[int] = (),
) -> CounsellingSession:
    school = session.school
    students = list(dict.fromkeys(students))
    _ensure_participants_not_sealed(session)
    recorded_by = _check(
        actor=actor,
        school=school,
        counsellor=session.counsellor,
        kind=kind,
        students=students,
        starts_at=starts_at,
        ends_at=ends_at,
        content=content,
    )
    kept = CounsellingAttachment.objects.filter(session=session).exclude(stored_file_id__in=remove_attachments)
    if kept.count() + len(uploads) > MAX_ATTACHMENTS:
        raise ServiceError(_("At most %(limit)s attachments.") % {"limit": MAX_ATTACHMENTS}, field="attachments")
    session.kind = kind
    session.held_on = held_on
    session.starts_at = starts_at
    session.ends_at = ends_at
    session.place = place.strip()
    session.content = content.strip()
    session.advice = advice.strip()
    session.save()
    CounsellingParticipant.objects.filter(session=session).exclude(student__in=students).delete()
    present = set(CounsellingParticipant.objects.filter(session=session).values_list("student_id", flat=True))
    CounsellingParticipant.objects.bulk_create(
        CounsellingParticipant(school=school, session=session, student=s) for s in students if s.pk not in present
    )
    CounsellingAttachment.objects.filter(session=session, stored_file_id__in=remove_attachments).delete()
    _attach(recorded_by, school, session, uploads)
    record(
        actor=recorded_by,
        school=school,
        action="counselling.session_update",
        obj=session,
        changes=_summary(session, students),
    )
    return session


def _ensure_participants_not_sealed(session: CounsellingSession) -> None:
    """A session that includes a sealed student is part of a sealed portfolio: read-only."""
    for row in CounsellingParticipant.objects.filter(session=session).select_related("student"):
        ensure_not_sealed(row.student)


@transaction.atomic
def counselling_attachments_add(
    *, actor: Actor, session: CounsellingSession, uploads: Sequence[UploadedFile]
) -> list[StoredFile]:
    """Attach pdf/jpg/png files to a session (the API's way; the page attaches while saving).
    Each file goes through the upload pipeline; any refused file refuses them all."""
    school = session.school
    user = _actor_user(actor)
    if not may_change(user, school, session):
        raise ServiceError(_("You do not have permission for this."))
    _ensure_participants_not_sealed(session)
    if not uploads:
        raise ServiceError(_("Choose at least one file."), field="attachments")
    if CounsellingAttachment.objects.filter(session=session).count() + len(uploads) > MAX_ATTACHMENTS:
        raise ServiceError(_("At most %(limit)s attachments.") % {"limit": MAX_ATTACHMENTS}, field="attachments")
    recorded_by = actor if session.counsellor_id == user.pk else actor.acting_for(session.counsellor)
    stored = _ingest(recorded_by, school, uploads)
    CounsellingAttachment.objects.bulk_create(
        CounsellingAttachment(school=school, session=session, stored_file=f) for f in stored
    )
    record(
        actor=recorded_by,
        school=school,
        action="counselling.attachments_add",
        obj=session,
        changes={"files": [f.pk for f in stored]},
    )
    return stored


def may_change(user: User, school: School, session: CounsellingSession) -> bool:
    """The guidance office, the recording counsellor and their office-entry proxies."""
    if may(user, school, "counselling.manage"):
        return True
    return session.counsellor_id in {u.pk for u in selectors.counsellors_for(user, school)}


@transaction.atomic
def counselling_session_delete(*, actor: Actor, session: CounsellingSession) -> None:
    school = session.school
    user = _actor_user(actor)
    if not may_change(user, school, session):
        raise ServiceError(_("You do not have permission for this."))
    students = [row.student for row in CounsellingParticipant.objects.filter(session=session).select_related("student")]
    for student in students:
        ensure_not_sealed(student)
    recorded_by = actor if session.counsellor_id == user.pk else actor.acting_for(session.counsellor)
    record(
        actor=recorded_by,
        school=school,
        action="counselling.session_delete",
        obj=session,
        changes=_summary(session, students),
    )
    CounsellingAttachment.objects.filter(session=session).delete()
    CounsellingParticipant.objects.filter(session=session).delete()
    session.delete()


# --- spreadsheet import ----------------------------------------------------------------------------


def counselling_import_check(*, actor: Actor, school: School, file_name: str, content: bytes) -> Any:
    """Read and check a file; store it for the preview. An unreadable file raises ``ServiceError``
    and stores nothing; row problems are stored on the import for the preview."""
    from licheng.core import spreadsheets as sheets
    from licheng.counselling import importers
    from licheng.counselling.models import CounsellingImport

    user = _actor_user(actor)
    if not selectors.may_record(user, school):
        raise ServiceError(_("You do not have permission for this."))
    present, rows = sheets.read_rows(importers.COLUMNS, content, file_name, max_rows=importers.MAX_ROWS)
    checked, _plan = importers.check(user, school, rows, present)
    with transaction.atomic():
        batch = CounsellingImport.objects.create(
            school=school,
            created_by=user,
            file_name=file_name[:200],
            headers=present,
            rows=[[row.line, row.cells] for row in rows],
            errors=checked.errors,
        )
        record(
            actor=actor,
            school=school,
            action="counselling.import_checked",
            obj=batch,
            changes={"rows": len(rows), "errors": len(checked.errors)},
        )
    return batch


@transaction.atomic
def counselling_import_apply(*, actor: Actor, batch: Any) -> dict[str, int]:
    """Check the stored rows again and write them all, or nothing."""
    from django.utils import timezone

    from licheng.core.spreadsheets import Row
    from licheng.counselling import importers

    user = _actor_user(actor)
    if batch.created_by_id != user.pk or batch.applied_at is not None:
        raise ServiceError(_("This import has already been applied."))
    rows = [Row(line, cells) for line, cells in batch.rows]
    checked, plan = importers.check(user, batch.school, rows, batch.headers)
    if not checked.ok:
        raise ServiceError(_("The file has errors; correct them and upload it again."))
    created = updated = 0
    for values, students, existing in plan.values():
        fields = {
            "kind": values["kind"],
            "held_on": values["held_on"],
            "starts_at": values.get("starts_at"),
            "ends_at": values.get("ends_at"),
            "place": values.get("place") or "",
            "students": students,
            "content": values["content"],
            "advice": values.get("advice") or "",
        }
        if existing is None:
            counselling_session_create(actor=actor, school=batch.school, counsellor=user, **fields)
            created += 1
        else:
            counselling_session_update(actor=actor, session=existing, **fields)
            updated += 1
    batch.applied_at = timezone.now()
    batch.summary = {"created": created, "updated": updated}
    batch.rows = []  # the cells were counselling content: do not keep a second copy
    batch.save(update_fields=["applied_at", "summary", "rows"])
    record(actor=actor, school=batch.school, action="counselling.import_applied", obj=batch, changes=batch.summary)
    return batch.summary
