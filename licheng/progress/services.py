"""Every change to a term's self-check list (執行檢核表)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission, roles_of
from licheng.people.roles import OFFICE_ROLES, Role
from licheng.progress.data import computed_metrics
from licheng.progress.models import ChecklistItem, Section, Status
from licheng.schedule.windows import WORK_ITEMS

if TYPE_CHECKING:
    from licheng.schools.models import Term

# Offices an item can belong to: the offices, and the working group itself.
ITEM_OFFICES = (*OFFICE_ROLES, Role.WORKING_GROUP)

# Which checklist section a schedule work item lands in.
_SECTION_OF = {
    "upload": Section.ENTRY,
    "performance_upload": Section.ENTRY,
    "certification": Section.ENTRY,
    "selection": Section.ENTRY,
    "pre_check": Section.SUBMISSION,
    "submission": Section.SUBMISSION,
    "receipt_confirmation": Section.SUBMISSION,
}


def _require_manage(actor: Actor, term: Term) -> None:
    if actor.user is None or not has_permission(actor.user, term.school, "progress.manage"):
        raise ServiceError(_("You may not change this term's self-check list."))


def _values(item: ChecklistItem) -> dict[str, object]:
    return {
        "title": item.title,
        "section": item.section,
        "work_item": item.work_item,
        "office": item.office,
        "due_on": item.due_on.isoformat(),
        "status": item.status,
        "note": item.note,
    }


def is_computed(item: ChecklistItem) -> bool:
    return item.work_item in computed_metrics()


@transaction.atomic
def checklist_generate_from_schedule(*, actor: Actor, term: Term) -> list[ChecklistItem]:
    """One item per schedule entry of ``term`` that has none yet: the work item (and grade), its
    office, due on the entry's self-check date (else its last day). Running it again adds only
    the entries added since."""
    from licheng.schedule.models import ScheduleEntry

    _require_manage(actor, term)
    entries = list(ScheduleEntry.objects.filter(term=term).order_by("starts_on", "work_item", "grade", "batch"))
    if not entries:
        raise ServiceError(_("This term has no schedule yet to make a self-check list from."))
    have = set(
        ChecklistItem.objects.filter(term=term, schedule_entry__isnull=False).values_list(
            "schedule_entry_id", flat=True
        )
    )
    position = (ChecklistItem.objects.filter(term=term).aggregate(m=Max("position"))["m"] or 0) + 1
    created = []
    for entry in entries:
        if entry.pk in have:
            continue
        label = str(WORK_ITEMS[entry.work_item].label) if entry.work_item in WORK_ITEMS else entry.work_item
        if entry.grade:
            label += _(" (grade %(grade)s)") % {"grade": entry.grade}
        if entry.batch:
            label += _(" (batch %(batch)s)") % {"batch": entry.batch}
        created.append(
            ChecklistItem(
                school=term.school,
                term=term,
                section=_SECTION_OF.get(entry.work_item, Section.ENTRY),
                title=label[:200],
                work_item=entry.work_item,
                schedule_entry=entry,
                office=entry.office,
                due_on=entry.self_check_on or entry.ends_on,
                position=position,
            )
        )
        position += 1
    ChecklistItem.objects.bulk_create(created)
    record(actor=actor, school=term.school, action="checklist.generate", obj=term, changes={"items": len(created)})
    return created


@transaction.atomic
def checklist_item_create(
    *,
    actor: Actor,
    term: Term,
    title: str,
    office: str,
    due_on: datetime.date,
    section: str = Section.OTHER,
    work_item: str = "",
    note: str = "",
) -> ChecklistItem:
    _require_manage(actor, term)
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("Name the work to check."), field="title")
    if office not in ITEM_OFFICES:
        raise ServiceError(_("Choose the responsible office."), field="office")
    if section not in Section.values:
        raise ServiceError(_("Choose a section."), field="section")
    if work_item and work_item not in WORK_ITEMS:
        raise ServiceError(_("Choose a work item."), field="work_item")
    if not (term.starts_on - datetime.timedelta(days=62) <= due_on <= term.ends_on + datetime.timedelta(days=62)):
        raise ServiceError(
            _("The due date must be near the term (at most two months before or after it)."), field="due_on"
        )
    position = (ChecklistItem.objects.filter(term=term).aggregate(m=Max("position"))["m"] or 0) + 1
    item = ChecklistItem.objects.create(
        school=term.school,
        term=term,
        title=title[:200],
        office=office,
        due_on=due_on,
        section=section,
        work_item=work_item,
        note=(note or "").strip()[:300],
        position=position,
        updated_by=actor.user,
    )
    record(actor=actor, school=term.school, action="checklist_item.create", obj=item, changes=_values(item))
    return item


@transaction.atomic
def checklist_item_tick(*, actor: Actor, item: ChecklistItem, status: str, note: str | None = None) -> ChecklistItem:
    """The responsible office (or whoever runs the list) sets an item's status and note. Items
    whose progress the data shows keep their computed status; only their note changes."""
    term = item.term
    user = actor.user
    if user is None:
        raise ServiceError(_("You may not tick this item."))
    manages = has_permission(user, term.school, "progress.manage")
    own_office = has_permission(user, term.school, "progress.tick") and item.office in roles_of(user, term.school)
    if not (manages or own_office):
        raise ServiceError(_("Only the responsible office can tick this item."))
    if status not in Status.values:
        raise ServiceError(_("Choose a status."), field="status")
    locked = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    before = _values(locked)
    if is_computed(locked):
        if status != locked.status:
            raise ServiceError(_("This item's progress comes from the data and cannot be ticked by hand."))
    else:
        locked.status = status
    if note is not None:
        locked.note = note.strip()[:300]
    locked.updated_by = user
    locked.save()
    record(
        actor=actor,
        school=term.school,
        action="checklist_item.tick",
        obj=locked,
        changes={"before": before, "after": _values(locked)},
    )
    return locked


@transaction.atomic
def checklist_item_delete(*, actor: Actor, item: ChecklistItem) -> None:
    _require_manage(actor, item.term)
    record(actor=actor, school=item.term.school, action="checklist_item.delete", obj=item, changes=_values(item))
    item.delete()
