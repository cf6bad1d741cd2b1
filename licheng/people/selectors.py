"""Reads about people, narrowed to what a user may see, and the proxy look-ups other apps use.

Who may see a student (``students_visible_to``):
- ``people.view_students`` (own, or delegated to them as an office proxy) → every student of the school;
- a homeroom teacher → the students of the classes they are homeroom teacher of;
- a course counsellor → the students of the classes they counsel;
- a subject teacher → the students enrolled in the courses they teach, or certify for as a proxy
  in effect today;
- a parent → their linked children;
- a student → themself;
- anybody else → nobody.

National IDs (``national_id_display``): the full number for ``people.view_national_id`` and for the
student themself (it is their own number); masked (``A12****789``) for everyone else, parents included.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from licheng.core.permissions import has_permission, has_role
from licheng.people.models import (
    Duty,
    ParentLink,
    ProxyAssignment,
    RoleGrant,
    RolePermission,
    StaffMember,
    Student,
    User,
)
from licheng.people.roles import Role

if TYPE_CHECKING:
    from licheng.courses.models import Course
    from licheng.schools.models import School

_DELEGATED_CACHE = "_licheng_delegated_permissions"

# Roles whose holders may open the students list even without ``people.view_students``: they see
# the students they have a relationship with.
RELATIONSHIP_ROLES = (Role.HOMEROOM_TEACHER, Role.COURSE_COUNSELLOR, Role.SUBJECT_TEACHER, Role.PARENT)


def today() -> datetime.date:
    return timezone.localdate()


# --- proxies --------------------------------------------------------------------------------------


def _in_effect(on: datetime.date | None) -> Q:
    day = on or today()
    return Q(starts_on__lte=day, ends_on__gte=day)


def _target(duty: str, course: Course | None, office: str | None) -> Q:
    q = Q(duty=duty)
    if course is not None:
        # An assignment without a course covers every course the principal teaches.
        q &= Q(course=course) | Q(course__isnull=True, principal__course_assignments__course=course)
    if office:
        q &= Q(office=office)
    return q


def active_proxies(
    principal: User,
    duty: str,
    course: Course | None = None,
    office: str | None = None,
    on: datetime.date | None = None,
) -> QuerySet[ProxyAssignment]:
    """The proxy assignments of ``principal`` for ``duty`` in effect on ``on`` (default today),
    in proxy order (代理順位), each with its ``proxy`` user loaded.

    Every proxy in effect may act; the order only says who is asked (notified) first.
    ``course`` / ``office`` narrow the duty's target; leave them out to get every target.
    """
    return (
        ProxyAssignment.objects.filter(Q(school_id=principal.school_id), principal=principal)
        .filter(_target(duty, course, office), _in_effect(on))
        .select_related("proxy", "course")
        .order_by("order", "pk")
    )


def proxy_assignments_for(
    proxy_user: User,
    duty: str,
    course: Course | None = None,
    office: str | None = None,
    on: datetime.date | None = None,
) -> QuerySet[ProxyAssignment]:
    """The assignments in effect on ``on`` (default today) under which ``proxy_user`` may act."""
    return (
        ProxyAssignment.objects.filter(Q(school_id=proxy_user.school_id), proxy=proxy_user)
        .filter(_target(duty, course, office), _in_effect(on))
        .select_related("principal", "course")
        .order_by("order", "pk")
    )


def principals_for(
    proxy_user: User,
    duty: str,
    course: Course | None = None,
    office: str | None = None,
    on: datetime.date | None = None,
) -> QuerySet[User]:
    """Whom may ``proxy_user`` act for, for ``duty`` (on that course / office), on ``on`` (default
    today). A service acting for one of them records ``actor.acting_for(principal)``."""
    assignments = proxy_assignments_for(proxy_user, duty, course=course, office=office, on=on)
    return User.objects.filter(pk__in=assignments.values("principal_id")).order_by("name", "username")


def can_act_for(
    user: User,
    principal: User,
    duty: str,
    course: Course | None = None,
    office: str | None = None,
    on: datetime.date | None = None,
) -> bool:
    return proxy_assignments_for(user, duty, course=course, office=office, on=on).filter(principal=principal).exists()


def delegated_permissions(user: User, school: School | None) -> dict[str, int]:
    """Permissions ``user`` holds today as an office proxy (``office_entry``): permission → the
    principal's user id. Only the permissions the school gives the *office role* are delegated, and
    only while the principal still holds that office. Cached on the user object for the request."""
    if school is None or not user.is_authenticated or user.school_id != school.pk:
        return {}
    cache: dict[int, dict[str, int]] = user.__dict__.setdefault(_DELEGATED_CACHE, {})
    if school.pk not in cache:
        rows = list(
            ProxyAssignment.objects.filter(school=school, proxy=user, duty=Duty.OFFICE_ENTRY)
            .filter(_in_effect(None))
            .order_by("order", "pk")
            .values_list("principal_id", "office")
        )
        result: dict[str, int] = {}
        if rows:
            offices = {office for _, office in rows}
            principals = {principal for principal, _ in rows}
            grants = set(
                RoleGrant.objects.filter(school=school, user_id__in=principals, role__in=offices).values_list(
                    "user_id", "role"
                )
            )
            by_office: dict[str, set[str]] = {}
            for role, permission in RolePermission.objects.filter(school=school, role__in=offices).values_list(
                "role", "permission"
            ):
                by_office.setdefault(role, set()).add(permission)
            for principal_id, office in rows:
                if (principal_id, office) in grants:
                    for permission in by_office.get(office, ()):
                        result.setdefault(permission, principal_id)
        cache[school.pk] = result
    return cache[school.pk]


def forget_delegated_permissions(user: User) -> None:
    user.__dict__.pop(_DELEGATED_CACHE, None)


def acting_principal(user: User, school: School | None, permission: str) -> User | None:
    """Whom ``user`` exercises ``permission`` as: themself when they hold it, the principal when
    they hold it as an office proxy today, ``None`` when they may not."""
    if has_permission(user, school, permission):
        return user
    principal_id = delegated_permissions(user, school).get(permission)
    if principal_id is None:
        return None
    return User.objects.get(pk=principal_id)


def may(user: User, school: School | None, permission: str) -> bool:
    """``has_permission``, counting permissions delegated through an office proxy."""
    return has_permission(user, school, permission) or permission in delegated_permissions(user, school)


# --- students ------------------------------------------------------------------------------------


def students_visible_to(user: User, school: School | None) -> QuerySet[Student]:
    """The students of ``school`` that ``user`` may see (rules in the module docstring)."""
    from licheng.courses.models import Enrolment

    if school is None or not user.is_authenticated or user.school_id not in (None, school.pk):
        return Student.objects.none()
    students = Student.objects.filter(school=school)
    if may(user, school, "people.view_students"):
        return students
    if user.school_id != school.pk:
        return Student.objects.none()
    proxied = ProxyAssignment.objects.filter(school=school, proxy=user, duty=Duty.CERTIFY_COURSE).filter(
        _in_effect(None)
    )
    # A proxy with a course covers that course; one without covers every course its principal teaches.
    taught = Enrolment.objects.filter(school=school).filter(
        Q(course__course_teachers__teacher=user)
        | Q(course__in=proxied.filter(course__isnull=False).values("course_id"))
        | Q(course__course_teachers__teacher__in=proxied.filter(course__isnull=True).values("principal_id"))
    )
    return students.filter(
        Q(user=user)
        | Q(school_class__homeroom_teacher=user)
        | Q(school_class__counsellor=user)
        | Q(pk__in=taught.values("student_id"))
        | Q(pk__in=ParentLink.objects.filter(school=school, parent=user).values("student_id"))
    )


def may_list_students(user: User, school: School | None) -> bool:
    """The students list opens for ``people.view_students`` and for the relationship roles
    (who see only their own students); others get 403."""
    return may(user, school, "people.view_students") or has_role(user, school, *RELATIONSHIP_ROLES)


def student_list(
    user: User,
    school: School,
    *,
    grade: int | None = None,
    class_id: int | None = None,
    status: str | None = None,
    search: str = "",
) -> QuerySet[Student]:
    """The students list page: visible students with their class loaded, filtered."""
    students = students_visible_to(user, school).select_related("school_class", "division")
    if grade:
        students = students.filter(school_class__grade=grade)
    if class_id:
        students = students.filter(school_class_id=class_id)
    if status:
        students = students.filter(status=status)
    if search:
        students = students.filter(Q(name__icontains=search) | Q(student_number__icontains=search))
    return students


def national_id_display(user: User, school: School | None, student: Student) -> str:
    """The full ID for ``people.view_national_id`` holders and the student themself; masked otherwise."""
    if student.user_id == user.pk or may(user, school, "people.view_national_id"):
        return student.national_id
    return student.national_id_masked


def parents_of(student: Student) -> QuerySet[ParentLink]:
    return ParentLink.objects.filter(school_id=student.school_id, student=student).select_related("parent")


# --- staff and users -----------------------------------------------------------------------------


def staff_of(school: School) -> QuerySet[StaffMember]:
    """The school's staff with their user and role grants loaded (one query each)."""
    return (
        StaffMember.objects.filter(school=school)
        .select_related("user")
        .prefetch_related(
            Prefetch("user__role_grants", queryset=RoleGrant.objects.filter(school=school).order_by("role"))
        )
    )


def users_of(school: School) -> QuerySet[User]:
    """Everyone who belongs to ``school`` (staff, students, parents)."""
    return User.objects.filter(school=school)


def role_grants_of(user: User, school: School) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.filter(school=school, user=user).order_by("role")


def role_permission_table(school: School) -> dict[str, set[str]]:
    """role → the permissions it has in ``school`` (every role present, possibly empty)."""
    table: dict[str, set[str]] = {role.value: set() for role in Role}
    for role, permission in RolePermission.objects.filter(school=school).values_list("role", "permission"):
        table.setdefault(role, set()).add(permission)
    return table


def proxies_visible_to(user: User, school: School) -> QuerySet[ProxyAssignment]:
    """Every assignment for ``proxies.manage``; otherwise those where the user is principal or proxy."""
    assignments = ProxyAssignment.objects.filter(school=school).select_related("principal", "proxy", "course")
    if has_permission(user, school, "proxies.manage"):
        return assignments
    return assignments.filter(Q(principal=user) | Q(proxy=user))
