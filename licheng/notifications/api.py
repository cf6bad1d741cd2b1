"""``/api/v1/notifications``: the caller's own notifications."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from licheng.api.auth import require
from licheng.audit.services import Actor
from licheng.notifications.selectors import notifications_of
from licheng.notifications.services import notification_mark_read

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    message: str
    link: str
    created_at: datetime.datetime
    read: bool


class MarkReadIn(Schema):
    ids: list[int] | None = None
    """Leave out to mark every notification read."""


class MarkReadOut(Schema):
    marked: int


@router.get("/", response=list[NotificationOut], url_name="notifications_list")
def notification_list(request: HttpRequest, unread: bool = False) -> list[NotificationOut]:
    require(request)
    rows = notifications_of(request.user, request.school)  # type: ignore[arg-type,attr-defined]
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return [
        NotificationOut(id=n.pk, message=n.text, link=n.link, created_at=n.created_at, read=n.read_at is not None)
        for n in rows[:200]
    ]


@router.post("/read", response=MarkReadOut, url_name="notifications_mark_read")
def mark_read(request: HttpRequest, payload: MarkReadIn) -> MarkReadOut:
    require(request)
    return MarkReadOut(marked=notification_mark_read(actor=Actor.from_request(request), notification_ids=payload.ids))
