"""State changes for roles and the school's role → permission table (角色權限設定). Same rules as
``people.services``; every change needs ``school.manage_roles`` (unless the system acts), and a
school always keeps an administrator able to change roles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.core.permission_upgrades import mark_all_known
from licheng.people.models import RoleGrant, RolePermission, User
from licheng.people.roles import DEFAULT_ROLE_PERMISSIONS, PERMISSIONS, Role
from licheng.people.services import LOCKOUT_PERMISSION, _refuse_last_admin, _require, forget_access

if TYPE_CHECKING:
    from licheng.schools.models import School


def _require_member(school: School, user: User) -> None:
    """Role grants touch only users of ``school``; anyone else is answered like an unknown user."""
    if user.school_id != school.pk:
        raise ServiceError(_("No such user."), field="user")


@transaction.atomic
def role_grant(*, actor: Actor, school: School, user: User, role: str) -> RoleGrant:
    """Give ``user`` a role in ``school``. Needs ``school.manage_roles`` (unless the system acts).
    Only users of the school get roles there: another school's user and a deployment operator (who
    belongs to no school) are refused as if they did not exist, without their name."""
    _require(actor, school, LOCKOUT_PERMISSION)
    if role not in Role.values:
        raise ServiceError(_("“%(role)s” is not a role.") % {"role": role}, field="role")
    _require_member(school, user)
    grant, created = RoleGrant.objects.get_or_create(school=school, user=user, role=role)
    if created:
        record(actor=actor, school=school, action="roles.grant", obj=user, changes={"role": role})
    forget_access(user)
    return grant


@transaction.atomic
def role_revoke(*, actor: Actor, school: School, user: User, role: str) -> None:
    """Take a role away. The school's last administrator keeps theirs."""
    _require(actor, school, LOCKOUT_PERMISSION)
    _require_member(school, user)
    grants = RoleGrant.objects.filter(school=school, user=user, role=role)
    if not grants.exists():
        return
    if role == Role.SCHOOL_ADMIN:
        _refuse_last_admin(school, user)
    grants.delete()
    record(actor=actor, school=school, action="roles.revoke", obj=user, changes={"role": role})
    forget_access(user)


@transaction.atomic
def role_permissions_reset(*, actor: Actor, school: School, audit: bool = True) -> None:
    """Put the school's role → permission table back to the defaults in ``roles.py``. Deployment
    operators may do it when they open a school."""
    if actor.user is None or not actor.user.is_superuser:
        _require(actor, school, LOCKOUT_PERMISSION)
    RolePermission.objects.filter(school=school).delete()
    RolePermission.objects.bulk_create(
        RolePermission(school=school, role=role, permission=permission)
        for role, permissions in DEFAULT_ROLE_PERMISSIONS.items()
        for permission in sorted(permissions)
    )
    mark_all_known(school)
    if audit:
        record(actor=actor, school=school, action="roles.reset_permissions", obj=school)
    if actor.user is not None:
        forget_access(actor.user)


def _check_cell(role: str, permission: str) -> None:
    if role not in Role.values:
        raise ServiceError(_("“%(role)s” is not a role.") % {"role": role}, field="role")
    if permission not in PERMISSIONS:
        raise ServiceError(_("“%(permission)s” is not a permission.") % {"permission": permission}, field="permission")


def _lockout_message() -> str:
    return _("The school administrator must keep the permission to change roles, or nobody could change them again.")


@transaction.atomic
def role_permission_set(*, actor: Actor, school: School, role: str, permission: str, granted: bool) -> None:
    """Give (``granted=True``) or take away one permission of one role in ``school`` (角色權限設定).
    Removing ``school.manage_roles`` from the school administrator is refused (lock-out)."""
    _require(actor, school, LOCKOUT_PERMISSION)
    _check_cell(role, permission)
    if not granted and role == Role.SCHOOL_ADMIN and permission == LOCKOUT_PERMISSION:
        raise ServiceError(_lockout_message(), field="permission")
    rows = RolePermission.objects.filter(school=school, role=role, permission=permission)
    if granted == rows.exists():
        return
    if granted:
        RolePermission.objects.create(school=school, role=role, permission=permission)
    else:
        rows.delete()
    record(
        actor=actor,
        school=school,
        action="roles.set_permission",
        obj=school,
        changes={"role": role, "permission": permission, "granted": granted},
    )
    if actor.user is not None:
        forget_access(actor.user)


@transaction.atomic
def role_permissions_replace(*, actor: Actor, school: School, table: Mapping[str, Iterable[str]]) -> dict[str, Any]:
    """Make the school's role → permission table exactly ``table`` (roles left out lose every
    permission) in one change with one audit entry listing what was added and removed. Same
    lock-out rule as ``role_permission_set``. Returns the change."""
    _require(actor, school, LOCKOUT_PERMISSION)
    wanted: set[tuple[str, str]] = set()
    for role, permissions in table.items():
        for permission in permissions:
            _check_cell(role, permission)
            wanted.add((role, permission))
    if (Role.SCHOOL_ADMIN.value, LOCKOUT_PERMISSION) not in wanted:
        raise ServiceError(_lockout_message(), field="permission")
    current = set(RolePermission.objects.filter(school=school).values_list("role", "permission"))
    added, removed = sorted(wanted - current), sorted(current - wanted)
    if not (added or removed):
        return {}
    for role, permission in removed:
        RolePermission.objects.filter(school=school, role=role, permission=permission).delete()
    RolePermission.objects.bulk_create(RolePermission(school=school, role=r, permission=p) for r, p in added)
    changes = {"added": [f"{r}:{p}" for r, p in added], "removed": [f"{r}:{p}" for r, p in removed]}
    record(actor=actor, school=school, action="roles.set_permissions", obj=school, changes=changes)
    if actor.user is not None:
        forget_access(actor.user)
    return changes
