"""Reads of the audit trail, always narrowed to one school and to people allowed to read it."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet

from licheng.audit.models import AuditEntry
from licheng.core.permissions import has_permission

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School


def entries_visible_to(user: User, school: School | None) -> QuerySet[AuditEntry]:
    """The school's entries, newest first, for people with ``audit.view`` there; nothing for anyone else."""
    if school is None or not has_permission(user, school, "audit.view"):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(school=school).select_related("actor", "on_behalf_of").order_by("-id")


def object_belongs_to(school: School, object_type: str, object_id: str) -> bool:
    """Does the object ``object_type``/``object_id`` (e.g. ``people.student``/``12``) exist in ``school``?"""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return False
    try:
        pk = model._meta.pk.to_python(object_id)  # type: ignore[union-attr]
    except (ValidationError, ValueError, TypeError):
        return False
    if model._meta.label_lower == "schools.school":
        return bool(pk == school.pk)
    try:
        model._meta.get_field("school")
    except FieldDoesNotExist:
        return False
    return bool(model._base_manager.filter(pk=pk, school=school).exists())


def object_history(user: User, school: School, object_type: str, object_id: str) -> QuerySet[AuditEntry] | None:
    """One object's entries in this school, newest first; None when the user may not see that object
    here (another school's object, or one that never existed here)."""
    if not has_permission(user, school, "audit.view"):
        return None
    from licheng.audit.models import AuditRowChange

    # The object's own entries, and those of batches (imports) that changed it among many rows.
    batches = AuditRowChange.objects.filter(object_type=object_type, object_id=object_id).values("entry_id")
    entries = entries_visible_to(user, school).filter(
        Q(object_type=object_type, object_id=object_id) | Q(pk__in=batches)
    )
    if object_belongs_to(school, object_type, object_id) or entries.exists():
        return entries
    return None


def filter_entries(
    entries: QuerySet[AuditEntry],
    *,
    action: str = "",
    actor: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(
            Q(actor__username__icontains=actor)
            | Q(actor__name__icontains=actor)
            | Q(on_behalf_of__username__icontains=actor)
            | Q(on_behalf_of__name__icontains=actor)
        )
    if date_from is not None:
        entries = entries.filter(at__date__gte=date_from)
    if date_to is not None:
        entries = entries.filter(at__date__lte=date_to)
    return entries


def actions_in(school: School) -> list[str]:
    """The actions that occur in the school's trail, for the filter's choices."""
    return list(AuditEntry.objects.filter(school=school).order_by("action").values_list("action", flat=True).distinct())


def change_rows(changes: Any) -> list[dict[str, Any]]:
    """An entry's ``changes`` as table rows: ``{field: [before, after]}`` gives before and after,
    any other value is what was set."""
    if not isinstance(changes, dict):
        return [{"field": "", "before": None, "after": changes, "is_diff": False}] if changes else []
    rows = []
    for field, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            rows.append({"field": field, "before": value[0], "after": value[1], "is_diff": True})
        else:
            rows.append({"field": field, "before": None, "after": value, "is_diff": False})
    return rows
