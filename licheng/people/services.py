"""State changes for people, roles and proxies. Each function: keyword-only arguments, one
transaction, a permission check where a person is acting, and an audit entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from licheng.audit.services import Actor, record
from licheng.core.permissions import forget_cached_permissions
from licheng.people.models import RoleGrant, RolePermission, User
from licheng.people.roles import DEFAULT_ROLE_PERMISSIONS

if TYPE_CHECKING:
    from licheng.schools.models import School


@transaction.atomic
def role_permissions_reset(*, actor: Actor, school: School, audit: bool = True) -> None:
    """Put the school's role → permission table back to the defaults in ``roles.py``."""
    RolePermission.objects.filter(school=school).delete()
    RolePermission.objects.bulk_create(
        RolePermission(school=school, role=role, permission=permission)
        for role, permissions in DEFAULT_ROLE_PERMISSIONS.items()
        for permission in sorted(permissions)
    )
    if audit:
        record(actor=actor, school=school, action="roles.reset_permissions", obj=school)


@transaction.atomic
def role_grant(*, actor: Actor, school: School, user: User, role: str) -> RoleGrant:
    """Give ``user`` a role in ``school``. A user of another school cannot be granted a role here."""
    if user.school_id not in (None, school.pk):
        raise PermissionError("cannot grant a role across schools")
    grant, created = RoleGrant.objects.get_or_create(school=school, user=user, role=role)
    if created:
        record(actor=actor, school=school, action="roles.grant", obj=user, changes={"role": role})
    forget_cached_permissions(user)
    return grant
