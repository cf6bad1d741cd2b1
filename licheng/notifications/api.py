"""``/api/v1/notifications``: the caller's own notifications."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from licheng.api.auth import require
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.notifications.models import Category
from licheng.notifications.selectors import notifications_of
from licheng.notifications.services import notification_mark_read, preferences_of, preferences_set

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


class ChannelsIn(Schema):
    in_app: bool = True
    email: bool = True


class PreferencesIn(Schema):
    categories: dict[str, ChannelsIn]
    """E.g. ``{"reminder": {"in_app": true, "email": false}}``; categories left out keep theirs."""


class PreferenceOut(Schema):
    category: str
    label: str
    in_app: bool
    email: bool


def _preference_rows(user) -> list[PreferenceOut]:  # type: ignore[no-untyped-def]
    current = preferences_of(user)
    return [PreferenceOut(category=value, label=str(label), **current[value]) for value, label in Category.choices]


@router.get("/preferences", response=list[PreferenceOut], url_name="notifications_preferences")
def preference_list(request: HttpRequest) -> list[PreferenceOut]:
    require(request)
    return _preference_rows(request.user)


@router.put("/preferences", response=list[PreferenceOut], url_name="notifications_preferences_set")
def preference_set(request: HttpRequest, payload: PreferencesIn) -> list[PreferenceOut]:
    require(request)
    try:
        preferences_set(
            actor=Actor.from_request(request), choices={k: v.model_dump() for k, v in payload.categories.items()}
        )
    except ServiceError as exc:
        raise HttpError(422, exc.message) from None
    return _preference_rows(request.user)
