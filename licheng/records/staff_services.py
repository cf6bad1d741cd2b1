"""Changes to cadre roles, attendance and rewards/penalties entered one at a time, and the
verification of cadre roles. Same rules as ``services``: permission, one transaction, one audit
entry, ``ServiceError`` for refusals the user can fix."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.people.models import Student
from licheng.people.sealing import ensure_not_sealed
from licheng.records.models import CadreRole, CareerExploration
from licheng.records.services import _require
from licheng.records.staff_records import KINDS
from licheng.schools.models import School


def entry_save(
    *, actor: Actor, school: School, kind: str, student: Student, values: dict[str, Any], entry: Any = None
) -> Any:
    """Create or change one record of ``kind``. Changing a verified cadre role clears its
    verification; a second record with the same natural key is refused."""
    spec = KINDS[kind]
    _require(actor, school, spec.permission)
    ensure_not_sealed(student)
    if entry is not None:
        ensure_not_sealed(entry.student)
    manager = spec.model._default_manager
    key = {"student": student, "academic_year": values["academic_year"], "term": values["term"]}
    key.update({f: values[f] for f in spec.key_fields})
    with transaction.atomic():
        clash = manager.filter(school=school, **key)
        if entry is not None:
            clash = clash.exclude(pk=entry.pk)
        if clash.exists():
            raise ServiceError(_("This student already has this record for the term."), field="term")
        action = f"records.{kind}_updated" if entry else f"records.{kind}_created"
        if entry is None:
            entry = spec.model(school=school)
            if isinstance(entry, CadreRole | CareerExploration):
                entry.entered_by = actor.user
        changed = False
        for name, value in {**key, **values}.items():
            if getattr(entry, name, None) != value:
                changed = True
            setattr(entry, name, value)
        if isinstance(entry, CadreRole) and changed:
            entry.verified_at = None
            entry.verified_by = None
        entry.save()
        record(actor=actor, school=school, action=action, obj=entry, changes={"student": student.student_number})
    return entry


def entry_delete(*, actor: Actor, school: School, kind: str, entry: Any) -> None:
    spec = KINDS[kind]
    _require(actor, school, spec.permission)
    ensure_not_sealed(entry.student)
    with transaction.atomic():
        record(
            actor=actor,
            school=school,
            action=f"records.{kind}_deleted",
            obj=entry,
            changes={"student_id": entry.student_id, "term": entry.term_label},
        )
        entry.delete()


def cadre_roles_to_verify(roles: models.QuerySet[CadreRole]) -> models.QuerySet[CadreRole]:
    """The roles ``cadre_roles_verify`` would touch: not yet verified, of students not sealed."""
    # A sealed student's roles stay as they were: read-only.
    return roles.filter(verified_at__isnull=True, student__sealed_at__isnull=True)


def cadre_roles_verify(
    *, actor: Actor, school: School, roles: models.QuerySet[CadreRole], expected: int | None = None
) -> int:
    """Mark every not-yet-verified role in ``roles`` as verified by ``actor``; returns how many.
    ``expected`` is the count the page showed: when the rows changed meanwhile nothing is verified."""
    _require(actor, school, "records.manage_cadre_roles")
    with transaction.atomic():
        pending = cadre_roles_to_verify(roles.filter(school=school))
        if expected is not None:
            now = pending.count()
            if now != expected:
                raise ServiceError(
                    _("%(now)d cadre roles match now, not the %(expected)d shown; look at the list again.")
                    % {"now": now, "expected": expected}
                )
        count = pending.update(verified_at=timezone.now(), verified_by=actor.user)
        if count == 0:
            raise ServiceError(_("There are no unverified cadre roles here."))
        record(actor=actor, school=school, action="records.cadre_roles_verified", obj=school, changes={"count": count})
    return count
