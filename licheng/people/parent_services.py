"""State changes for parent accounts and their links to students (家長帳號). Same rules as
``people.services``: keyword-only arguments, one transaction, ``people.manage_parents`` (held
directly or as an office proxy), an audit entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.people.models import ParentLink, RoleGrant, Student, User
from licheng.people.roles import Role
from licheng.people.services import _new_account, authorise

if TYPE_CHECKING:
    from licheng.schools.models import School


@transaction.atomic
def parent_create(
    *,
    actor: Actor,
    school: School,
    username: str,
    name: str,
    email: str = "",
    student: Student | None = None,
    relation: str = "",
) -> User:
    """Create a parent account (role ``parent``, no usable password until accounts are issued),
    linked to ``student`` when given. Needs ``people.manage_parents``."""
    effective = authorise(actor, school, "people.manage_parents")
    username = (username or "").strip()
    name = (name or "").strip()
    if not username:
        raise ServiceError(_("Enter a login name."), field="username")
    if not name:
        raise ServiceError(_("Enter the parent's name."), field="name")
    if student is not None and student.school_id != school.pk:
        raise ServiceError(_("That student is not a student of this school."), field="student")
    user = _new_account(school=school, username=username, name=name, email=email)
    RoleGrant.objects.create(school=school, user=user, role=Role.PARENT)
    record(actor=effective, school=school, action="parent.create", obj=user, changes={"username": username})
    if student is not None:
        _link(effective, school, user, student, relation)
    return user


def _link(actor: Actor, school: School, parent: User, student: Student, relation: str) -> ParentLink:
    if ParentLink.objects.filter(parent=parent, student=student).exists():
        raise ServiceError(
            _("%(parent)s is already linked to %(student)s.") % {"parent": parent, "student": student.name},
            field="parent",
        )
    link = ParentLink.objects.create(school=school, parent=parent, student=student, relation=relation[:20])
    record(
        actor=actor,
        school=school,
        action="parent.link",
        obj=link,
        changes={"parent": parent.pk, "student": student.pk, "relation": link.relation},
    )
    return link


@transaction.atomic
def parent_link(*, actor: Actor, parent: User, student: Student, relation: str = "") -> ParentLink:
    """Link an existing parent account to a student of the same school (read-only access)."""
    school = student.school
    effective = authorise(actor, school, "people.manage_parents")
    if parent.school_id != school.pk:
        raise ServiceError(_("That parent account belongs to another school."), field="parent")
    if not RoleGrant.objects.filter(school=school, user=parent, role=Role.PARENT).exists():
        raise ServiceError(_("%(user)s is not a parent account.") % {"user": parent}, field="parent")
    return _link(effective, school, parent, student, relation)


@transaction.atomic
def parent_unlink(*, actor: Actor, link: ParentLink) -> None:
    school = link.school
    effective = authorise(actor, school, "people.manage_parents")
    record(
        actor=effective,
        school=school,
        action="parent.unlink",
        obj=link,
        changes={"parent": link.parent_id, "student": link.student_id},
    )
    link.delete()
