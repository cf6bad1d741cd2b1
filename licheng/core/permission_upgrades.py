"""Give each school the default grants of permission codes added by an upgrade, once.

Every school's role → permission table is seeded from ``licheng.people.roles`` when the school is
opened. A later release that adds codes (a new capability's pages) runs this after ``migrate``: each
new code goes to its default roles in every school, is recorded as known, and is never granted
again, so the school admin's own changes to the table survive upgrades.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_scopes import scopes_disabled

from licheng.audit.services import Actor, record
from licheng.core.models import KnownPermission
from licheng.people.roles import DEFAULT_ROLE_PERMISSIONS, PERMISSIONS

# The codes of the first release (before this bookkeeping existed): a school that has a role table
# but no known codes yet already received the defaults of these.
FIRST_RELEASE = frozenset(
    {
        "audit.view",
        "counselling.manage",
        "counselling.view_all",
        "courses.manage",
        "courses.view_all",
        "people.import_accounts",
        "people.manage_parents",
        "people.manage_staff",
        "people.manage_students",
        "people.view_national_id",
        "people.view_students",
        "performances.manage_codes",
        "performances.record",
        "performances.review_writings",
        "performances.view_all",
        "portfolio.grant_extensions",
        "portfolio.manage_reasons",
        "portfolio.view_all",
        "proxies.manage",
        "records.manage_cadre_roles",
        "records.manage_career",
        "records.manage_course_codes",
        "records.manage_discipline",
        "records.manage_grades",
        "records.view_grades",
        "school.manage_roles",
        "school.manage_settings",
        "school.view_settings",
    }
)


def mark_all_known(school: Any) -> None:
    """The school's table was just set to today's defaults: every current code is known."""
    known = set(KnownPermission.objects.filter(school=school).values_list("permission", flat=True))
    KnownPermission.objects.bulk_create(
        KnownPermission(school=school, permission=code) for code in sorted(set(PERMISSIONS) - known)
    )


def grant_new_permissions() -> dict[str, list[str]]:
    """Grant codes no school has seen to their default roles; answer school code → codes granted."""
    from licheng.people.models import RolePermission
    from licheng.schools.models import School

    granted: dict[str, list[str]] = {}
    with scopes_disabled():
        for school in School.objects.order_by("pk"):
            with transaction.atomic():
                recorded = set(KnownPermission.objects.filter(school=school).values_list("permission", flat=True))
                known = recorded
                if not recorded:
                    if not RolePermission.objects.filter(school=school).exists():
                        continue  # not opened yet: its table is seeded in full when it is
                    known = set(FIRST_RELEASE)
                new = sorted(set(PERMISSIONS) - known)
                if not new:
                    continue
                existing = set(
                    RolePermission.objects.filter(school=school, permission__in=new).values_list("role", "permission")
                )
                RolePermission.objects.bulk_create(
                    RolePermission(school=school, role=role, permission=code)
                    for role, codes in DEFAULT_ROLE_PERMISSIONS.items()
                    for code in new
                    if code in codes and (role, code) not in existing
                )
                KnownPermission.objects.bulk_create(
                    KnownPermission(school=school, permission=code) for code in sorted(set(PERMISSIONS) - recorded)
                )
                record(
                    actor=Actor.system(),
                    school=school,
                    action="roles.grant_new_permissions",
                    obj=school,
                    changes={"permissions": new},
                )
                granted[school.code] = new
    return granted
