"""Reads for the work schedule: terms, entries and what concerns a person."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from licheng.core.permissions import has_permission, roles_of
from licheng.people.roles import Role
from licheng.schedule.models import ScheduleEntry
from licheng.schedule.windows import WORK_ITEMS
from licheng.schools.models import Term
from licheng.schools.selectors import current_term

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School


def terms_of(school: School) -> QuerySet[Term]:
    return Term.objects.filter(school=school).select_related("academic_year").order_by("-starts_on")


def entries_of(term: Term, *, drafts: bool = False) -> QuerySet[ScheduleEntry]:
    """A term's published entries; with ``drafts`` (for those who run the schedule) the drafts too."""
    entries = ScheduleEntry.objects.filter(school_id=term.school_id, term=term).select_related("term__academic_year")
    return entries if drafts else entries.filter(published_at__isnull=False)


def published_terms(school: School, today: datetime.date | None = None) -> list[Term]:
    """The terms a published schedule shows: every term of the current academic year."""
    term = current_term(school, today)
    if term is None:
        latest = terms_of(school).first()
        if latest is None:
            return []
        term = latest
    return list(terms_of(school).filter(academic_year=term.academic_year).order_by("starts_on"))


def work_items_for(user: User, school: School) -> list[str]:
    """The work items whose deadlines concern ``user``: students their own, teachers certification,
    an office its own items; people who run the schedule every item."""
    if has_permission(user, school, "schedule.manage"):
        return list(WORK_ITEMS)
    roles = roles_of(user, school)
    codes = []
    for code, item in WORK_ITEMS.items():
        if (
            (Role.STUDENT in roles and item.for_students)
            or (Role.SUBJECT_TEACHER in roles and item.for_teachers)
            or item.office in roles
        ):
            codes.append(code)
    return codes


def office_windows(term: Term) -> tuple[bool, dict[str, list[dict[str, object]]]]:
    """Whether ``term`` has a published schedule, and each office's published windows in it
    (label, grade, dates), in one query."""
    by_office: dict[str, list[dict[str, object]]] = {}
    published = False
    for entry in entries_of(term).order_by("starts_on", "work_item", "grade", "batch"):
        published = True
        item = WORK_ITEMS.get(entry.work_item)
        by_office.setdefault(entry.office, []).append(
            {
                "label": item.label if item else entry.work_item,
                "grade": entry.grade,
                "starts_on": entry.starts_on,
                "ends_on": entry.ends_on,
            }
        )
    return published, by_office
