"""Every change to the work schedule: entries, the yearly copy, individual extensions and the
private calendar-feed address."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission
from licheng.people.roles import Role
from licheng.schedule.models import CalendarToken, ScheduleEntry, ScheduleExtension
from licheng.schedule.windows import PORTFOLIO_KINDS, WORK_ITEMS
from licheng.schools import rocdate

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School, Term


def _require(actor: Actor, school: School, permission: str) -> None:
    if actor.user is None or not has_permission(actor.user, school, permission):
        raise ServiceError(_("You may not change the work schedule."))


def _entry_values(entry: ScheduleEntry) -> dict[str, object]:
    return {
        "work_item": entry.work_item,
        "grade": entry.grade,
        "batch": entry.batch,
        "office": entry.office,
        "starts_on": entry.starts_on.isoformat(),
        "ends_on": entry.ends_on.isoformat(),
        "self_check_on": entry.self_check_on.isoformat() if entry.self_check_on else None,
        "note": entry.note,
    }


def _validate(entry: ScheduleEntry) -> None:
    """Refuse an entry that cannot be: unknown item, end before start, a batch outside grade 12,
    a self-check date outside the window, or a window of the same item and grade that overlaps."""
    if entry.work_item not in WORK_ITEMS:
        raise ServiceError(_("Choose a work item."), field="work_item")
    if entry.office not in Role.values:
        raise ServiceError(_("Choose the responsible office."), field="office")
    if entry.grade is not None and entry.grade not in (10, 11, 12):
        raise ServiceError(_("Choose grade 10, 11 or 12, or leave the grade empty for every grade."), field="grade")
    if entry.batch is not None and entry.grade != 12:
        raise ServiceError(_("Only grade 12 has batches."), field="batch")
    if entry.batch is not None and entry.batch not in (1, 2):
        raise ServiceError(_("Choose batch 1 or 2."), field="batch")
    if entry.ends_on < entry.starts_on:
        raise ServiceError(_("A window cannot end before it starts."), field="ends_on")
    if entry.self_check_on is not None and not (entry.starts_on <= entry.self_check_on <= entry.ends_on):
        raise ServiceError(_("The self-check date must fall inside the window."), field="self_check_on")
    siblings = ScheduleEntry.objects.filter(
        school_id=entry.school_id, term_id=entry.term_id, work_item=entry.work_item, grade=entry.grade
    ).exclude(pk=entry.pk)
    for other in siblings:
        if other.batch == entry.batch:
            raise ServiceError(
                _("This work item already has a window for this grade and batch in this term; change that one."),
                field="grade",
            )
        if other.starts_on <= entry.ends_on and entry.starts_on <= other.ends_on:
            raise ServiceError(
                _("The batches of one work item and grade cannot overlap: %(other)s runs %(starts)s–%(ends)s.")
                % {
                    "other": _("Batch %(n)s") % {"n": other.batch} if other.batch else _("another window"),
                    "starts": rocdate.format_roc(other.starts_on),
                    "ends": rocdate.format_roc(other.ends_on),
                },
                field="starts_on",
            )


@transaction.atomic
def schedule_entry_create(
    *,
    actor: Actor,
    term: Term,
    work_item: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    grade: int | None = None,
    batch: int | None = None,
    office: str | None = None,
    self_check_on: datetime.date | None = None,
    note: str = "",
    publish: bool = True,
) -> ScheduleEntry:
    """Add a window. With ``publish=False`` it is a draft: it opens nothing and shows nowhere public
    until ``schedule_entries_publish``."""
    school = term.school
    _require(actor, school, "schedule.manage")
    default_office = WORK_ITEMS[work_item].office if work_item in WORK_ITEMS else ""
    entry = ScheduleEntry(
        school=school,
        term=term,
        work_item=work_item,
        grade=grade,
        batch=batch,
        office=office or default_office,
        starts_on=starts_on,
        ends_on=ends_on,
        self_check_on=self_check_on,
        note=(note or "").strip()[:200],
        published_at=timezone.now() if publish else None,
    )
    _validate(entry)
    entry.save()
    record(
        actor=actor,
        school=school,
        action="schedule_entry.create",
        obj=entry,
        changes={"after": _entry_values(entry), "published": publish},
    )
    return entry


@transaction.atomic
def schedule_entries_publish(*, actor: Actor, term: Term) -> int:
    """Publish every draft of ``term``: from now on they open their windows and show on the public
    page and calendar feeds. Returns how many were published."""
    school = term.school
    _require(actor, school, "schedule.manage")
    drafts = ScheduleEntry.objects.select_for_update().filter(school=school, term=term, published_at__isnull=True)
    pks = list(drafts.values_list("pk", flat=True))
    if not pks:
        raise ServiceError(_("This term has no draft windows to publish."))
    ScheduleEntry.objects.filter(pk__in=pks).update(published_at=timezone.now())
    record(actor=actor, school=school, action="schedule.publish", obj=term, changes={"entries": pks})
    return len(pks)


@transaction.atomic
def schedule_entry_update(
    *,
    actor: Actor,
    entry: ScheduleEntry,
    starts_on: datetime.date,
    ends_on: datetime.date,
    office: str | None = None,
    self_check_on: datetime.date | None = None,
    note: str | None = None,
    grade: int | None = None,
    batch: int | None = None,
) -> ScheduleEntry:
    """Change an entry's dates (and office, self-check date, note, grade and batch). Every page and
    service that asks ``schedule.windows`` sees the new dates at once."""
    school = entry.term.school
    _require(actor, school, "schedule.manage")
    locked = ScheduleEntry.objects.select_for_update().get(pk=entry.pk)
    before = _entry_values(locked)
    locked.starts_on, locked.ends_on, locked.self_check_on = starts_on, ends_on, self_check_on
    locked.grade, locked.batch = grade, batch
    if office:
        locked.office = office
    if note is not None:
        locked.note = note.strip()[:200]
    _validate(locked)
    locked.save()
    record(
        actor=actor,
        school=school,
        action="schedule_entry.update",
        obj=locked,
        changes={"before": before, "after": _entry_values(locked)},
    )
    return locked


@transaction.atomic
def schedule_entry_delete(*, actor: Actor, entry: ScheduleEntry) -> None:
    school = entry.term.school
    _require(actor, school, "schedule.manage")
    values = _entry_values(entry)
    record(actor=actor, school=school, action="schedule_entry.delete", obj=entry, changes={"before": values})
    entry.delete()


def shift_one_year(day: datetime.date) -> datetime.date:
    """The same weekday 52 weeks (364 days) later: a window that ran Monday–Friday last year runs
    Monday–Friday this year, a day or two earlier in the calendar (two in the year after a 29 Feb)."""
    return day + datetime.timedelta(weeks=52)


@transaction.atomic
def schedule_copy_from_last_year(*, actor: Actor, term: Term) -> list[ScheduleEntry]:
    """Copy the same term of the previous academic year into ``term``, every date shifted by 52
    weeks (weekday-aligned, see ``shift_one_year``). Refused while ``term`` has entries of its own
    or last year has none."""
    from licheng.schools.models import Term as TermModel

    school = term.school
    _require(actor, school, "schedule.manage")
    if ScheduleEntry.objects.filter(term=term).exists():
        raise ServiceError(_("This term already has a schedule; change its entries instead of copying."))
    source = (
        TermModel.objects.filter(school=school, academic_year__year=term.academic_year.year - 1, number=term.number)
        .select_related("academic_year")
        .first()
    )
    rows = list(ScheduleEntry.objects.filter(term=source)) if source is not None else []
    if not rows:
        raise ServiceError(_("Last year's same term has no schedule to copy."))
    copies = [
        ScheduleEntry(
            school=school,
            term=term,
            work_item=row.work_item,
            grade=row.grade,
            batch=row.batch,
            office=row.office,
            starts_on=shift_one_year(row.starts_on),
            ends_on=shift_one_year(row.ends_on),
            self_check_on=shift_one_year(row.self_check_on) if row.self_check_on else None,
            note=row.note,
            published_at=None,  # a draft: its dates are checked, then published
        )
        for row in rows
    ]
    ScheduleEntry.objects.bulk_create(copies)
    record(
        actor=actor,
        school=school,
        action="schedule.copy",
        obj=term,
        changes={"from_term": source.pk if source else None, "entries": len(copies), "shift_days": 364},
    )
    return copies


@transaction.atomic
def schedule_extension_grant(
    *, actor: Actor, term: Term, user: User, work_item: str, until: datetime.date, reason: str
) -> object:
    """Extend or re-open ``work_item``'s window in ``term`` for one student or teacher until
    ``until`` (inclusive). Upload, certification and selection extensions are
    ``portfolio.WindowExtension`` rows (where the portfolio has always read them); every other work
    item's are ``ScheduleExtension`` rows."""
    school = term.school
    if actor.user is None or not has_permission(actor.user, school, "schedule.grant_extensions"):
        raise ServiceError(_("You may not extend windows."))
    if work_item not in WORK_ITEMS:
        raise ServiceError(_("Choose a work item."), field="work_item")
    if user.school_id != school.pk:
        raise ServiceError(_("This person is not in your school."), field="user")
    student = getattr(user, "student", None)
    if student is None and getattr(user, "staff", None) is None:
        raise ServiceError(_("Windows are extended for a student or a member of staff."), field="user")
    if student is not None:
        from licheng.people.sealing import ensure_not_sealed

        ensure_not_sealed(student)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give a reason for the extension."), field="reason")
    if until < timezone.localdate():
        raise ServiceError(_("The extension must end today or later."), field="until")
    extension: object
    if work_item in PORTFOLIO_KINDS:
        from licheng.portfolio.models import WindowExtension

        extension = WindowExtension.objects.create(
            school=school, user=user, kind=work_item, term=term, until=until, reason=reason[:200], granted_by=actor.user
        )
    else:
        extension = ScheduleExtension.objects.create(
            school=school,
            user=user,
            work_item=work_item,
            term=term,
            until=until,
            reason=reason[:200],
            granted_by=actor.user,
        )
    record(
        actor=actor,
        school=school,
        action="schedule_extension.grant",
        obj=extension,  # type: ignore[arg-type]
        changes={
            "user": user.pk,
            "work_item": work_item,
            "term": term.label,
            "until": until.isoformat(),
            "reason": reason,
        },
    )
    return extension


@transaction.atomic
def schedule_extension_revoke(*, actor: Actor, extension: object) -> None:
    """Take back an extension granted by mistake (a ``ScheduleExtension`` or, for upload,
    certification and selection, a ``portfolio.WindowExtension``); the audit entry keeps it."""
    from licheng.portfolio.models import WindowExtension

    if not isinstance(extension, (ScheduleExtension, WindowExtension)):
        raise ServiceError(_("There is no such extension."))
    school = extension.school
    if actor.user is None or not has_permission(actor.user, school, "schedule.grant_extensions"):
        raise ServiceError(_("You may not extend windows."))
    work_item = extension.work_item if isinstance(extension, ScheduleExtension) else extension.kind
    record(
        actor=actor,
        school=school,
        action="schedule_extension.revoke",
        obj=extension,  # type: ignore[arg-type]
        changes={
            "user": extension.user_id,
            "work_item": work_item,
            "term": extension.term_id,
            "until": extension.until.isoformat(),
            "reason": extension.reason,
        },
    )
    extension.delete()


# --- private "my deadlines" calendar address -----------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_token_issue(*, actor: Actor) -> str:
    """Give the actor a new secret address for their "my deadlines" feed; any earlier one stops
    working. Returns the secret (shown once; only its hash is kept)."""
    user = actor.user
    if user is None or user.school_id is None:
        raise ServiceError(_("Only people of a school have a deadlines calendar."))
    now = timezone.now()
    CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    row = CalendarToken.objects.create(school_id=user.school_id, user=user, token_hash=token_digest(token))
    record(actor=actor, school=user.school, action="calendar_token.issue", obj=row, changes={})
    return token


@transaction.atomic
def calendar_token_revoke(*, actor: Actor) -> int:
    """Stop every calendar address of the actor; returns how many were active."""
    user = actor.user
    if user is None or user.school_id is None:
        raise ServiceError(_("Only people of a school have a deadlines calendar."))
    count = CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if count:
        record(actor=actor, school=user.school, action="calendar_token.revoke", obj=user, changes={"revoked": count})
    return count
