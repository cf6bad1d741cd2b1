"""E-mail to one person, once.

``deliver`` is the only way the project sends e-mail to a person: it respects the person's choice
for the category, writes a ``Delivery`` row whose ``dedupe_key`` is unique (a second call with the
same key sends nothing and answers False) and never raises for a person without an address or for a
mail server that refuses — it answers False and keeps the reason on the row, and a failed delivery
is tried again by the next call with the same key.

Dedupe keys name what is sent, to whom and when it is about, e.g.
``reminder:<school>:upload:<term>:<date>:<user>`` or ``receipt:<school>:<submission>:<user>``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from licheng.notifications.models import Category, Delivery, DeliveryStatus, Preference

if TYPE_CHECKING:
    from licheng.people.models import User

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[歷程] "


def wants(user: User, category: str, channel: str) -> bool:
    """Does ``user`` want notices of ``category`` through ``channel`` ("in_app" or "email")?"""
    with scopes_disabled():
        row = Preference.objects.filter(user=user, category=category).values(channel).first()
    return True if row is None else bool(row[channel])


def deliver(*, user: User, subject: str, body: str, dedupe_key: str, category: str) -> bool:
    """Send ``subject``/``body`` to ``user`` by e-mail unless already sent under ``dedupe_key``.

    Answers True when a message left now; False when the person has no address, does not want
    e-mail for ``category``, it was already sent, or the mail server failed (logged, retried next
    time). Call it outside a transaction that may still roll back: mail cannot be taken back.
    """
    if category not in Category.values:
        raise ValueError(f"unknown notification category {category!r}")
    address = (user.email or "").strip()
    if not address or not user.is_active:
        return False
    if not wants(user, category, "email"):
        return False
    subject = (SUBJECT_PREFIX + " ".join(subject.split()))[:200]
    with scopes_disabled():
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    school_id=user.school_id,
                    user=user,
                    category=category,
                    dedupe_key=dedupe_key[:200],
                    address=address,
                    subject=subject,
                )
        except IntegrityError:
            # Someone sent it (or is sending it) already; only a failed attempt is tried again.
            claimed = Delivery.objects.filter(dedupe_key=dedupe_key[:200], status=DeliveryStatus.FAILED).update(
                status=DeliveryStatus.PENDING, error="", address=address, subject=subject
            )
            if not claimed:
                return False
            delivery = Delivery.objects.get(dedupe_key=dedupe_key[:200])
        try:
            EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]).send()
        except Exception as exc:  # noqa: BLE001 - a mail server's refusal must not break the caller
            logger.warning("e-mail %s to user %s failed: %s", dedupe_key, user.pk, exc)
            Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, error=str(exc)[:300])
            return False
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
    return True
