"""State changes for schools and their calendar. Each function: keyword-only arguments, one
transaction, a permission check where a person is acting, and an audit entry."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.people.services import role_permissions_reset
from licheng.schools.models import Division, School, SchoolRules

DEFAULT_DIVISIONS = ((1, "日間部"),)


class SchoolError(ServiceError):
    """A change refused for a reason the user can fix; the message is in their language."""


@transaction.atomic
def school_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    divisions: tuple[tuple[int, str], ...] = DEFAULT_DIVISIONS,
) -> School:
    """Open a school on this deployment: its standing rules (national defaults), its divisions and
    the default role permissions. Only deployment operators (or the system) do this."""
    if actor.user is not None and not actor.user.is_superuser:
        raise PermissionError("only deployment operators create schools")
    if School.objects.filter(code=code).exists():
        raise SchoolError(_("A school with code %(code)s already exists.") % {"code": code})
    school = School(code=code, name=name)
    school.full_clean()
    school.save()
    SchoolRules.objects.create(school=school)
    Division.objects.bulk_create([Division(school=school, code=c, name=n) for c, n in divisions])
    role_permissions_reset(actor=actor, school=school, audit=False)
    record(actor=actor, school=school, action="school.create", obj=school, changes={"code": code, "name": name})
    return school
