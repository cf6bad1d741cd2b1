"""Reads of announcements and help requests, narrowed to what a person may see."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from licheng.announcements.models import Announcement, AnnouncementTarget, HelpRequest, TargetKind
from licheng.core.permissions import has_permission, roles_of

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School


def _classes_of(user: User, school: School) -> tuple[set[str], set[str]]:
    """Class ids and grades of the student the user is, or of the children they are parent of (one query)."""
    from licheng.people.models import Student

    rows = (
        Student.objects.filter(Q(user=user) | Q(parent_links__parent=user), school=school)
        .exclude(school_class=None)
        .values_list("school_class_id", "school_class__grade")
        .distinct()
    )
    classes, grades = set(), set()
    for class_id, grade in rows:
        classes.add(str(class_id))
        grades.add(str(grade))
    return classes, grades


def _addressed_to(user: User, school: School) -> Q:
    roles = roles_of(user, school)
    classes, grades = _classes_of(user, school)
    return Q(
        pk__in=AnnouncementTarget.objects.filter(
            Q(kind=TargetKind.ROLE, value__in=roles)
            | Q(kind=TargetKind.GRADE, value__in=grades)
            | Q(kind=TargetKind.CLASS, value__in=classes)
        ).values("announcement_id")
    )


def current_for(user: User, school: School, today: datetime.date) -> QuerySet[Announcement]:
    """Announcements addressed to ``user`` that are published and not expired or withdrawn today."""
    return (
        Announcement.objects.filter(school=school, publish_on__lte=today, withdrawn_at__isnull=True)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .filter(_addressed_to(user, school))
        .order_by("-publish_on", "-pk")
    )


def announcements_visible_to(user: User, school: School) -> QuerySet[Announcement]:
    """Posters see every announcement of the school; anyone else those addressed to them (any date
    from publishing on)."""
    rows = Announcement.objects.filter(school=school)
    if has_permission(user, school, "announcements.post"):
        return rows
    from django.utils import timezone

    return rows.filter(publish_on__lte=timezone.localdate(), withdrawn_at__isnull=True).filter(
        _addressed_to(user, school)
    )


def help_requests_visible_to(user: User, school: School) -> QuerySet[HelpRequest]:
    """The answering sections see every request; anyone else their own."""
    rows = HelpRequest.objects.filter(school=school).select_related("reporter", "answered_by")
    if has_permission(user, school, "announcements.answer_help"):
        return rows
    return rows.filter(reporter=user)
