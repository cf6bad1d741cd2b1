"""Sending and reading notifications; each person's channel preferences."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.notifications.email import deliver, wants
from licheng.notifications.models import Category, Notification, Preference, ReminderSettings
from licheng.people.models import User
from licheng.schools.models import School

# The most days ahead a school may send reminders.
MAX_REMINDER_DAYS = 30


def absolute_link(link: str) -> str:
    """``link`` with the site's address in front (``LICHENG_SITE_URL``), for e-mail bodies."""
    base = getattr(settings, "LICHENG_SITE_URL", "") or ""
    return f"{base.rstrip('/')}{link}" if link.startswith("/") and base else link


def render_in_school_language(message: str, params: dict[str, Any] | None = None) -> str:
    """The message id translated into the school's language (Traditional Chinese) and filled in."""
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(message)
        try:
            return text.format(**(params or {}))
        except (KeyError, IndexError, ValueError):
            return text


def notify(
    *,
    user: User,
    message: str,
    link: str = "",
    params: dict[str, Any] | None = None,
    category: str = Category.GENERAL,
    dedupe_key: str | None = None,
    email: bool = False,
) -> Notification | None:
    """Leave ``message`` (an English message id marked with ``gettext_noop``, formatted with
    ``params`` in the reader's language) for ``user``.

    Written inside the caller's transaction: a change that is rolled back notifies nobody, and a
    change that is committed always has its notification (no second step that could be lost).
    Skipped when the person turned the app channel off for ``category``, or when ``dedupe_key`` was
    used before. With ``email=True`` (and always for result notices) the same text also goes by
    e-mail once the caller's transaction commits, if the person wants e-mail for ``category``.
    """
    assert user.school_id is not None, "notifications belong to a school"
    if email or category == Category.RESULT:
        key = dedupe_key or f"notice:{user.school_id}:{user.pk}:{message[:60]}:{timezone.now().isoformat()}"
        text = render_in_school_language(message, params)
        body = text + (f"\n\n{absolute_link(link)}" if link else "")
        transaction.on_commit(
            lambda: deliver(user=user, subject=text[:120], body=body, dedupe_key=f"mail:{key}", category=category)
        )
    if not wants(user, category, "in_app"):
        return None
    if dedupe_key is not None:
        if Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        try:
            with transaction.atomic():
                return Notification.objects.create(
                    school_id=user.school_id,
                    user=user,
                    message=message,
                    params=params or {},
                    link=link[:300],
                    category=category,
                    dedupe_key=dedupe_key[:200],
                )
        except IntegrityError:
            return None
    return Notification.objects.create(
        school_id=user.school_id, user=user, message=message, params=params or {}, link=link[:300], category=category
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


def preferences_of(user: User) -> dict[str, dict[str, bool]]:
    """``{category: {"in_app": bool, "email": bool}}`` for every category (defaults: both on)."""
    stored = {p.category: p for p in Preference.objects.filter(user=user)}
    return {
        category: {
            "in_app": stored[category].in_app if category in stored else True,
            "email": stored[category].email if category in stored else True,
        }
        for category in Category.values
    }


def preferences_set(*, actor: Actor, choices: dict[str, dict[str, bool]]) -> dict[str, dict[str, bool]]:
    """Set the actor's own channels; categories left out keep theirs. Not audited (own choice)."""
    user = actor.user
    assert user is not None and user.school_id is not None
    unknown = set(choices) - set(Category.values)
    if unknown:
        raise ServiceError(
            gettext("Unknown notification category: {names}.").format(names=", ".join(sorted(unknown))),
            field="category",
        )
    with transaction.atomic():
        for category, channels in choices.items():
            Preference.objects.update_or_create(
                user=user,
                category=category,
                defaults={
                    "school_id": user.school_id,
                    "in_app": bool(channels.get("in_app", True)),
                    "email": bool(channels.get("email", True)),
                },
            )
    return preferences_of(user)


def reminder_days(school: School) -> int:
    row = ReminderSettings.objects.filter(school=school).first()
    return row.days_before if row is not None else ReminderSettings._meta.get_field("days_before").default


def reminder_settings_set(*, actor: Actor, school: School, days_before: int) -> ReminderSettings:
    from licheng.core.permissions import has_permission

    assert actor.user is not None
    if not has_permission(actor.user, school, "notifications.manage_reminders"):
        raise ServiceError(gettext("You may not change the reminder settings."))
    if not 0 <= days_before <= MAX_REMINDER_DAYS:
        raise ServiceError(
            gettext("Days before a window closes must be between 0 and {max}.").format(max=MAX_REMINDER_DAYS),
            field="days_before",
        )
    with transaction.atomic():
        row, _created = ReminderSettings.objects.select_for_update().get_or_create(school=school)
        before = row.days_before if not _created else None
        row.days_before = days_before
        row.save()
        record(
            actor=actor,
            school=school,
            action="reminder_settings.set",
            obj=row,
            changes={"days_before": [before, days_before]},
        )
    return row
