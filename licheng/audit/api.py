"""``/api/v1/audit``: the audit trail of the caller's school, for people with ``audit.view``."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from licheng.api.auth import require
from licheng.audit import selectors
from licheng.audit.models import AuditEntry

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    at: datetime.datetime
    actor: str | None = Field(None, description="Username of the person who made the change")
    on_behalf_of: str | None = Field(None, description="Username of the person they acted for, if a proxy")
    ip_address: str | None
    action: str
    object_type: str = Field(description="app_label.model, e.g. people.student")
    object_id: str
    object_repr: str
    changes: Any = Field(description="{field: [before, after]} for changes, or the values set")
    entry_hash: str

    @staticmethod
    def resolve_actor(entry: AuditEntry) -> str | None:
        return entry.actor.username if entry.actor else None

    @staticmethod
    def resolve_on_behalf_of(entry: AuditEntry) -> str | None:
        return entry.on_behalf_of.username if entry.on_behalf_of else None


@router.get("/entries", response=list[AuditEntryOut])
@paginate(LimitOffsetPagination)
def list_entries(
    request: HttpRequest,
    object_type: str = "",
    object_id: str = "",
    action: str = "",
) -> QuerySet[AuditEntry]:
    """The school's audit entries, newest first; filter by object (``object_type`` + ``object_id``) or action."""
    require(request, "audit.view")
    entries = selectors.entries_visible_to(request.user, request.school)  # type: ignore[arg-type,attr-defined]
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    return selectors.filter_entries(entries, action=action)
