"""State changes for students and staff, and the permission helpers the other people services share
(parents: ``licheng.people.parent_services``; roles and the role → permission table:
``licheng.people.role_services``; proxies: ``licheng.people.proxies``). Each function: keyword-only
arguments, one transaction, a permission check where a person is acting, and an audit entry.

Acting as a proxy: an office's data (student profiles for the registry, …) may be entered by a
person who is that office holder's ``office_entry`` proxy today. Such changes are recorded "by X on
behalf of Y" (``Actor.acting_for``). The system actor (``Actor.system()``, user ``None``) skips
permission checks: it is used by set-up code, commands and imports that checked permission already.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, diff, record, snapshot
from licheng.core.errors import ServiceError
from licheng.core.permissions import forget_cached_permissions, has_permission
from licheng.people import crypto, national_id, roster_codes
from licheng.people.models import (
    EnrolmentStatus,
    RoleGrant,
    Sex,
    StaffMember,
    Student,
    User,
)
from licheng.people.roles import STAFF_ROLES, Role
from licheng.people.roster_codes import ROSTER_FIELD_NAMES
from licheng.people.selectors import delegated_permissions, forget_delegated_permissions

if TYPE_CHECKING:
    from licheng.schools.models import Division, School, SchoolClass

# Roles a ``people.manage_staff`` holder may give with a staff account; every other role (offices,
# working group, school admin) is granted only with ``school.manage_roles``.
TEACHING_ROLES = frozenset({Role.SUBJECT_TEACHER, Role.HOMEROOM_TEACHER, Role.COURSE_COUNSELLOR})
# A school always keeps someone able to change roles.
LOCKOUT_PERMISSION = "school.manage_roles"

STUDENT_FIELDS = (
    "student_number",
    "name",
    "birth_date",
    "sex",
    "division",
    "school_class",
    "seat",
    "entry_year",
    "status",
    *ROSTER_FIELD_NAMES,
)


def _clean_roster(given: dict[str, Any]) -> dict[str, Any]:
    """The roster codes given (``UNSET`` ones left out), checked; a bad one names its field."""
    cleaned = {}
    for name, value in given.items():
        if value is UNSET:
            continue
        try:
            cleaned[name] = roster_codes.clean(name, value)
        except roster_codes.RosterValueError as error:
            raise ServiceError(str(error), field=name) from None
    return cleaned


def forget_access(user: User) -> None:
    """Drop the permissions and delegations cached on ``user`` after their roles or proxies changed."""
    forget_cached_permissions(user)
    forget_delegated_permissions(user)


def authorise(actor: Actor, school: School, permission: str) -> Actor:
    """The actor to record for a change needing ``permission``: the actor as they are when they hold
    it, ``actor.acting_for(principal)`` when they hold it as an office proxy today. Raises
    ``PermissionDenied`` otherwise (a view should have answered 403 before)."""
    user = actor.user
    if user is None:
        return actor
    if user.school_id not in (None, school.pk):
        raise PermissionDenied("actor belongs to another school")
    if has_permission(user, school, permission):
        return actor
    principal_id = delegated_permissions(user, school).get(permission)
    if principal_id is None:
        raise PermissionDenied(f"{user} may not {permission}")
    return actor.acting_for(User.objects.get(pk=principal_id))


def _require(actor: Actor, school: School, permission: str) -> None:
    if actor.user is None:
        return
    if actor.user.school_id not in (None, school.pk) or not has_permission(actor.user, school, permission):
        raise PermissionDenied(f"{actor.user} may not {permission}")


def _refuse_last_admin(school: School, user: User) -> None:
    admins = RoleGrant.objects.filter(school=school, role=Role.SCHOOL_ADMIN).exclude(user=user)
    if not admins.exists():
        raise ServiceError(
            _("%(user)s is the school's only administrator; give the role to someone else first.") % {"user": user},
            field="role",
        )


# --- students ------------------------------------------------------------------------------------


def default_student_username(school: School, student_number: str) -> str:
    """Login names are unique across the deployment while student numbers are unique per school,
    so a student's default login is ``<school code>-<student number>`` (``111111-1140001``)."""
    return f"{school.code}-{student_number}"


def _clean_national_id(value: str) -> str:
    try:
        return national_id.validate(value)
    except national_id.NationalIdError as error:
        raise ServiceError(str(error), field="national_id") from None


def _check_student(
    *,
    school: School,
    student: Student | None,
    student_number: str,
    nid: str | None,
    birth_date: datetime.date,
    sex: int,
    division: Division,
    school_class: SchoolClass | None,
    seat: int | None,
    entry_year: int,
    name: str,
) -> None:
    others = Student.objects.filter(school=school)
    if student is not None:
        others = others.exclude(pk=student.pk)
    if not student_number or not student_number.strip():
        raise ServiceError(_("Enter the student number."), field="student_number")
    if len(student_number) > 20 or not student_number.isalnum():
        raise ServiceError(
            _("“%(number)s” is not a student number: use up to 20 letters and digits.") % {"number": student_number},
            field="student_number",
        )
    if not name or not name.strip():
        raise ServiceError(_("Enter the student's name."), field="name")
    if others.filter(student_number=student_number).exists():
        raise ServiceError(
            _("Student number %(number)s is already used by another student of this school.")
            % {"number": student_number},
            field="student_number",
        )
    if nid is not None and others.filter(national_id_digest=crypto.digest(nid)).exists():
        raise ServiceError(_("This ID number already belongs to another student of this school."), field="national_id")
    today = datetime.date.today()
    if not (datetime.date(today.year - 40, 1, 1) <= birth_date <= today):
        raise ServiceError(_("The birth date is not plausible for a student; please check it."), field="birth_date")
    if sex not in Sex.values:
        raise ServiceError(_("Choose the student's sex."), field="sex")
    if division.school_id != school.pk:
        raise ServiceError(_("That division is not one of this school's divisions."), field="division")
    if not 1 <= entry_year <= 200:
        raise ServiceError(
            _("%(year)s is not an academic year; write it in ROC years, like 114.") % {"year": entry_year},
            field="entry_year",
        )
    if school_class is not None:
        if school_class.school_id != school.pk:
            raise ServiceError(
                _("Class %(name)s is not a class of this school.") % {"name": school_class.name}, field="school_class"
            )
        if school_class.division_id != division.pk:
            raise ServiceError(
                _("Class %(name)s belongs to another division than the one chosen.") % {"name": school_class.name},
                field="school_class",
            )
    if seat is not None:
        if school_class is None:
            raise ServiceError(_("A seat number needs a class."), field="seat")
        if not 1 <= seat <= 99:
            raise ServiceError(_("A seat number runs from 1 to 99."), field="seat")
        if others.filter(school_class=school_class, seat=seat).exists():
            raise ServiceError(
                _("Seat %(seat)d in class %(name)s is already taken.") % {"seat": seat, "name": school_class.name},
                field="seat",
            )


def _new_account(*, school: School, username: str, name: str, email: str) -> User:
    """A login for a new person of ``school``; unusable password until accounts are issued."""
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(
            _("The login name %(username)s is already taken.") % {"username": username}, field="username"
        )
    user = User(username=username, name=name, email=email, school=school)
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def student_create(
    *,
    actor: Actor,
    school: School,
    student_number: str,
    name: str,
    national_id: str,
    birth_date: datetime.date,
    sex: int,
    division: Division,
    entry_year: int,
    school_class: SchoolClass | None = None,
    seat: int | None = None,
    status: str = EnrolmentStatus.ENROLLED,
    username: str | None = None,
    email: str = "",
    group_code: str = "",
    programme_code: str = "",
    class_type: str = "1",
    special_statuses: str = "",
    indigenous_ethnicity: str = "",
    indigenous_status: str = "",
    indigenous_language_dialect: str = "",
    indigenous_language_exam_year: int | None = None,
    indigenous_language_valid_until: datetime.date | None = None,
    experimental_class: str = "",
    admission_route: str = "",
) -> Student:
    """Register a student: their profile, their login (``default_student_username`` unless
    ``username`` is given; no usable password until accounts are issued) and the ``student`` role.
    Needs ``people.manage_students`` (or being a proxy of an office that has it)."""
    effective = authorise(actor, school, "people.manage_students")
    student_number = (student_number or "").strip()
    name = (name or "").strip()
    nid = _clean_national_id(national_id)
    if status not in EnrolmentStatus.values:
        raise ServiceError(_("Choose an enrolment status from the list."), field="status")
    roster = _clean_roster(
        {
            "group_code": group_code,
            "programme_code": programme_code,
            "class_type": class_type,
            "special_statuses": special_statuses,
            "indigenous_ethnicity": indigenous_ethnicity,
            "indigenous_status": indigenous_status,
            "indigenous_language_dialect": indigenous_language_dialect,
            "indigenous_language_exam_year": indigenous_language_exam_year,
            "indigenous_language_valid_until": indigenous_language_valid_until,
            "experimental_class": experimental_class,
            "admission_route": admission_route,
        }
    )
    _check_student(
        school=school,
        student=None,
        student_number=student_number,
        nid=nid,
        birth_date=birth_date,
        sex=sex,
        division=division,
        school_class=school_class,
        seat=seat,
        entry_year=entry_year,
        name=name,
    )
    username = (username or default_student_username(school, student_number)).strip()
    user = _new_account(school=school, username=username, name=name, email=email)
    student = Student(
        school=school,
        user=user,
        student_number=student_number,
        name=name,
        birth_date=birth_date,
        sex=sex,
        division=division,
        school_class=school_class,
        seat=seat,
        entry_year=entry_year,
        status=status,
        **roster,
    )
    student.set_national_id(nid)
    student.save()
    RoleGrant.objects.create(school=school, user=user, role=Role.STUDENT)
    # The ID itself never enters the audit trail.
    record(
        actor=effective,
        school=school,
        action="student.create",
        obj=student,
        changes={**snapshot(student, STUDENT_FIELDS), "username": username},
    )
    return student


# A keyword argument the caller did not pass (None is a value some fields can take).
UNSET: Any = object()


@transaction.atomic
def student_update(
    *,
    actor: Actor,
    student: Student,
    student_number: str = UNSET,
    name: str = UNSET,
    national_id: str = UNSET,
    birth_date: datetime.date = UNSET,
    sex: int = UNSET,
    division: Division = UNSET,
    school_class: SchoolClass | None = UNSET,
    seat: int | None = UNSET,
    entry_year: int = UNSET,
    group_code: str = UNSET,
    programme_code: str = UNSET,
    class_type: str = UNSET,
    special_statuses: str = UNSET,
    indigenous_ethnicity: str = UNSET,
    indigenous_status: str = UNSET,
    indigenous_language_dialect: str = UNSET,
    indigenous_language_exam_year: int | None = UNSET,
    indigenous_language_valid_until: datetime.date | None = UNSET,
    experimental_class: str = UNSET,
    admission_route: str = UNSET,
) -> Student:
    """Change a student's profile; arguments left out keep their value. The enrolment status changes
    only through ``licheng.lifecycle.services`` (history, sealing). The audit entry says whether the
    ID changed, never what it is."""
    school = student.school
    effective = authorise(actor, school, "people.manage_students")
    student = Student.objects.select_for_update().get(pk=student.pk)
    before = snapshot(student, STUDENT_FIELDS)
    values: dict[str, Any] = {
        "student_number": student.student_number if student_number is UNSET else (student_number or "").strip(),
        "name": student.name if name is UNSET else (name or "").strip(),
        "birth_date": student.birth_date if birth_date is UNSET else birth_date,
        "sex": student.sex if sex is UNSET else sex,
        "division": student.division if division is UNSET else division,
        "school_class": student.school_class if school_class is UNSET else school_class,
        "seat": student.seat if seat is UNSET else seat,
        "entry_year": student.entry_year if entry_year is UNSET else entry_year,
    }
    nid = None
    old_nid = student.national_id
    if national_id is not UNSET:
        nid = _clean_national_id(national_id)
        if nid == student.national_id:
            nid = None
    _check_student(school=school, student=student, nid=nid, **values)
    roster = _clean_roster(
        {
            "group_code": group_code,
            "programme_code": programme_code,
            "class_type": class_type,
            "special_statuses": special_statuses,
            "indigenous_ethnicity": indigenous_ethnicity,
            "indigenous_status": indigenous_status,
            "indigenous_language_dialect": indigenous_language_dialect,
            "indigenous_language_exam_year": indigenous_language_exam_year,
            "indigenous_language_valid_until": indigenous_language_valid_until,
            "experimental_class": experimental_class,
            "admission_route": admission_route,
        }
    )
    for field, value in {**values, **roster}.items():
        setattr(student, field, value)
    if nid is not None:
        student.set_national_id(nid)
    student.save()
    if student.user.name != student.name:
        User.objects.filter(pk=student.user_id).update(name=student.name)
    changes = diff(before, snapshot(student, STUDENT_FIELDS))
    if nid is not None:
        changes["national_id"] = [crypto.mask(old_nid), crypto.mask(nid)]  # masked, never the number
    if changes:
        record(actor=effective, school=school, action="student.update", obj=student, changes=changes)
    return student


# --- staff ---------------------------------------------------------------------------------------


def _check_staff_roles(actor: Actor, school: School, roles: Iterable[str]) -> set[str]:
    wanted = set(roles)
    unknown = wanted - set(STAFF_ROLES)
    if unknown:
        raise ServiceError(
            _("A staff member cannot hold the role %(role)s.") % {"role": ", ".join(sorted(unknown))}, field="roles"
        )
    if (
        actor.user is not None
        and wanted - TEACHING_ROLES
        and not has_permission(actor.user, school, LOCKOUT_PERMISSION)
    ):
        raise ServiceError(
            _("Only someone who may grant roles can give office or administrative roles."), field="roles"
        )
    return wanted


def _set_roles(actor: Actor, school: School, user: User, wanted: set[str]) -> dict[str, Any]:
    """Make the user's staff roles exactly ``wanted``; returns the audit change."""
    current = set(RoleGrant.objects.filter(school=school, user=user).values_list("role", flat=True))
    current_staff = current & set(STAFF_ROLES)
    to_add = wanted - current_staff
    to_remove = current_staff - wanted
    changes_privileged = bool((to_add | to_remove) - TEACHING_ROLES)
    if actor.user is not None and changes_privileged and not has_permission(actor.user, school, LOCKOUT_PERMISSION):
        raise ServiceError(
            _("Only someone who may grant roles can give or take office or administrative roles."), field="roles"
        )
    if Role.SCHOOL_ADMIN in to_remove:
        _refuse_last_admin(school, user)
    RoleGrant.objects.bulk_create(RoleGrant(school=school, user=user, role=role) for role in sorted(to_add))
    RoleGrant.objects.filter(school=school, user=user, role__in=to_remove).delete()
    forget_access(user)
    if not (to_add or to_remove):
        return {}
    return {"roles": [sorted(current_staff), sorted((current_staff | to_add) - to_remove)]}


@transaction.atomic
def staff_create(
    *,
    actor: Actor,
    school: School,
    username: str,
    name: str,
    roles: Iterable[str] = (),
    title: str = "",
    subjects: str = "",
    email: str = "",
) -> StaffMember:
    """Create a staff account (no usable password until accounts are issued) with its roles.
    Needs ``people.manage_staff``; roles other than teaching roles also need ``school.manage_roles``."""
    _require(actor, school, "people.manage_staff")
    username = (username or "").strip()
    name = (name or "").strip()
    if not username:
        raise ServiceError(_("Enter a login name."), field="username")
    if not name:
        raise ServiceError(_("Enter the staff member's name."), field="name")
    wanted = _check_staff_roles(actor, school, roles)
    user = _new_account(school=school, username=username, name=name, email=email)
    staff = StaffMember.objects.create(school=school, user=user, name=name, title=title, subjects=subjects)
    RoleGrant.objects.bulk_create(RoleGrant(school=school, user=user, role=role) for role in sorted(wanted))
    record(
        actor=actor,
        school=school,
        action="staff.create",
        obj=staff,
        changes={"username": username, "name": name, "title": title, "roles": sorted(wanted)},
    )
    return staff


@transaction.atomic
def staff_update(
    *,
    actor: Actor,
    staff: StaffMember,
    name: str = UNSET,
    title: str = UNSET,
    subjects: str = UNSET,
    email: str = UNSET,
    roles: Iterable[str] | None = None,
) -> StaffMember:
    """Change a staff member's details and, when ``roles`` is given, make their staff roles exactly
    those (same rule on roles as ``staff_create``)."""
    school = staff.school
    _require(actor, school, "people.manage_staff")
    staff = StaffMember.objects.select_for_update().select_related("user").get(pk=staff.pk)
    before = {**snapshot(staff, ("name", "title", "subjects")), "email": staff.user.email}
    if name is not UNSET:
        if not (name or "").strip():
            raise ServiceError(_("Enter the staff member's name."), field="name")
        staff.name = name.strip()
    if title is not UNSET:
        staff.title = title
    if subjects is not UNSET:
        staff.subjects = subjects
    if email is not UNSET:
        staff.user.email = email
    changes: dict[str, Any] = {}
    if roles is not None:
        wanted = set(roles)
        unknown = wanted - set(STAFF_ROLES)
        if unknown:
            raise ServiceError(
                _("A staff member cannot hold the role %(role)s.") % {"role": ", ".join(sorted(unknown))},
                field="roles",
            )
        changes.update(_set_roles(actor, school, staff.user, wanted))
    staff.save()
    staff.user.name = staff.name
    staff.user.save(update_fields=["name", "email"])
    changes.update(diff(before, {**snapshot(staff, ("name", "title", "subjects")), "email": staff.user.email}))
    if changes:
        record(actor=actor, school=school, action="staff.update", obj=staff, changes=changes)
    return staff
