"""Sending and reading notifications."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from licheng.audit.services import Actor
from licheng.notifications.models import Notification
from licheng.people.models import User


def notify(*, user: User, message: str, link: str = "", params: dict[str, Any] | None = None) -> Notification:
    """Leave ``message`` (an English message id marked with ``gettext_noop``, formatted with
    ``params`` in the reader's language) for ``user``.

    Written inside the caller's transaction: a change that is rolled back notifies nobody, and a
    change that is committed always has its notification (no second step that could be lost).
    """
    assert user.school_id is not None, "notifications belong to a school"
    return Notification.objects.create(
        school_id=user.school_id, user=user, message=message, params=params or {}, link=link[:300]
    )


def notification_mark_read(*, actor: Actor, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's own notifications read (all of them when ``notification_ids`` is None).
    Reading one's own notifications is not audited: it changes nothing anybody else sees."""
    assert actor.user is not None
    with transaction.atomic():
        rows = Notification.objects.filter(user=actor.user, read_at__isnull=True)
        if notification_ids is not None:
            rows = rows.filter(pk__in=notification_ids)
        return rows.update(read_at=timezone.now())
