"""Reads of a user's own notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from licheng.notifications.models import Notification
from licheng.people.models import User
from licheng.schools.models import School


def notifications_of(user: User, school: School) -> QuerySet[Notification]:
    return Notification.objects.filter(school=school, user=user).order_by("-created_at", "-pk")


def unread_count(user: User, school: School) -> int:
    return notifications_of(user, school).filter(read_at__isnull=True).count()
