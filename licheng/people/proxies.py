"""State changes for proxies (代理人, 代理順位): who may do a person's duty, in which order, when.

Every proxy in effect may act; the order says who is asked first. Reads live in
``licheng.people.selectors`` (``active_proxies``, ``principals_for``, ``can_act_for``).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, diff, record, snapshot
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission
from licheng.people.models import Duty, ProxyAssignment, RoleGrant, StaffMember, User
from licheng.people.roles import OFFICE_ROLES, Role
from licheng.people.services import UNSET, forget_access

if TYPE_CHECKING:
    from licheng.courses.models import Course
    from licheng.schools.models import School


def _may_manage_proxies_of(actor: Actor, school: School, principal: User) -> None:
    """The working group (``proxies.manage``) assigns for anyone; a person assigns their own."""
    user = actor.user
    if user is None or has_permission(user, school, "proxies.manage"):
        return
    if user.pk != principal.pk or user.school_id != school.pk:
        raise PermissionDenied("only the working group assigns proxies for someone else")


def _check_proxy(
    *,
    school: School,
    assignment: ProxyAssignment | None,
    principal: User,
    proxy: User,
    duty: str,
    course: Course | None,
    office: str,
    order: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> None:
    if principal.school_id != school.pk:
        raise ServiceError(_("%(user)s is not a member of this school.") % {"user": principal}, field="principal")
    if proxy.school_id != school.pk:
        raise ServiceError(_("%(user)s is not a member of this school.") % {"user": proxy}, field="proxy")
    if not StaffMember.objects.filter(school=school, user=proxy).exists():
        raise ServiceError(_("A proxy must be a member of staff."), field="proxy")
    if proxy.pk == principal.pk:
        raise ServiceError(_("Nobody can be their own proxy."), field="proxy")
    if duty == Duty.CERTIFY_COURSE:
        # No course: the proxy takes over every course the principal teaches (a teacher on leave).
        if course is not None and (
            course.school_id != school.pk or not course.course_teachers.filter(teacher=principal).exists()
        ):
            raise ServiceError(
                _("%(user)s does not teach %(course)s.") % {"user": principal, "course": course}, field="course"
            )
    elif duty == Duty.OFFICE_ENTRY:
        if office not in {role.value for role in OFFICE_ROLES}:
            raise ServiceError(_("Choose the office whose data the proxy enters."), field="office")
        if not RoleGrant.objects.filter(school=school, user=principal, role=office).exists():
            raise ServiceError(
                _("%(user)s does not hold the office %(office)s.") % {"user": principal, "office": Role(office).label},
                field="office",
            )
    else:
        raise ServiceError(_("Choose a duty from the list."), field="duty")
    if ends_on < starts_on:
        raise ServiceError(_("The end date is before the start date."), field="ends_on")
    if not 1 <= order <= 20:
        raise ServiceError(_("The proxy order runs from 1 to 20."), field="order")
    same_target = ProxyAssignment.objects.filter(
        school=school,
        principal=principal,
        duty=duty,
        course=course if duty == Duty.CERTIFY_COURSE else None,
        office=office if duty == Duty.OFFICE_ENTRY else "",
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    if assignment is not None:
        same_target = same_target.exclude(pk=assignment.pk)
    if same_target.filter(proxy=proxy).exists():
        raise ServiceError(
            _("%(user)s is already a proxy for this duty in that period.") % {"user": proxy}, field="proxy"
        )
    if same_target.filter(order=order).exists():
        raise ServiceError(
            _("Proxy order %(order)d is already taken for this duty in that period.") % {"order": order},
            field="order",
        )


PROXY_FIELDS = ("principal", "proxy", "duty", "course", "office", "order", "starts_on", "ends_on", "reason")


@transaction.atomic
def proxy_assign(
    *,
    actor: Actor,
    school: School,
    principal: User,
    proxy: User,
    duty: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    course: Course | None = None,
    office: str = "",
    order: int | None = None,
    reason: str = "",
) -> ProxyAssignment:
    """Make ``proxy`` able to do ``principal``'s duty from ``starts_on`` to ``ends_on`` (inclusive).

    ``certify_course`` needs a ``course`` the principal teaches; ``office_entry`` needs an ``office``
    role the principal holds. ``order`` (代理順位) defaults to the next free number for that duty and
    target; it must be unique among assignments whose periods overlap. Every proxy in effect may act;
    the order says who is asked (notified) first. The working group (``proxies.manage``) assigns for
    anyone; a person may assign their own proxies."""
    _may_manage_proxies_of(actor, school, principal)
    if duty != Duty.CERTIFY_COURSE:
        course = None
    if duty != Duty.OFFICE_ENTRY:
        office = ""
    if order is None:
        taken = ProxyAssignment.objects.filter(
            school=school,
            principal=principal,
            duty=duty,
            course=course,
            office=office,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        ).values_list("order", flat=True)
        order = max(taken, default=0) + 1
    _check_proxy(
        school=school,
        assignment=None,
        principal=principal,
        proxy=proxy,
        duty=duty,
        course=course,
        office=office,
        order=order,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    assignment = ProxyAssignment.objects.create(
        school=school,
        principal=principal,
        proxy=proxy,
        duty=duty,
        course=course,
        office=office,
        order=order,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason[:200],
    )
    record(
        actor=actor, school=school, action="proxy.assign", obj=assignment, changes=snapshot(assignment, PROXY_FIELDS)
    )
    forget_access(proxy)
    return assignment


@transaction.atomic
def proxy_update(
    *,
    actor: Actor,
    assignment: ProxyAssignment,
    order: int = UNSET,
    starts_on: datetime.date = UNSET,
    ends_on: datetime.date = UNSET,
    reason: str = UNSET,
) -> ProxyAssignment:
    """Change an assignment's order, dates or reason (same rules as ``proxy_assign``)."""
    school = assignment.school
    _may_manage_proxies_of(actor, school, assignment.principal)
    assignment = ProxyAssignment.objects.select_for_update().get(pk=assignment.pk)
    before = snapshot(assignment, PROXY_FIELDS)
    if order is not UNSET:
        assignment.order = order
    if starts_on is not UNSET:
        assignment.starts_on = starts_on
    if ends_on is not UNSET:
        assignment.ends_on = ends_on
    if reason is not UNSET:
        assignment.reason = reason[:200]
    _check_proxy(
        school=school,
        assignment=assignment,
        principal=assignment.principal,
        proxy=assignment.proxy,
        duty=assignment.duty,
        course=assignment.course,
        office=assignment.office,
        order=assignment.order,
        starts_on=assignment.starts_on,
        ends_on=assignment.ends_on,
    )
    assignment.save()
    changes = diff(before, snapshot(assignment, PROXY_FIELDS))
    if changes:
        record(actor=actor, school=school, action="proxy.update", obj=assignment, changes=changes)
    forget_access(assignment.proxy)
    return assignment


@transaction.atomic
def proxy_revoke(*, actor: Actor, assignment: ProxyAssignment) -> None:
    """End an assignment (the row goes; the audit trail keeps what it was)."""
    school = assignment.school
    _may_manage_proxies_of(actor, school, assignment.principal)
    record(
        actor=actor, school=school, action="proxy.revoke", obj=assignment, changes=snapshot(assignment, PROXY_FIELDS)
    )
    forget_access(assignment.proxy)
    assignment.delete()
