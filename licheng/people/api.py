"""``/api/v1/people``: students, staff, roles and their permissions, role grants, proxies.

Same permissions and tenancy as the pages: a missing permission answers 403, an object the caller
may not see 404, a refusal the caller can fix 422 with ``message`` and ``field``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from licheng.api.auth import forbidden, require
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission
from licheng.people import proxies, role_services, selectors, services
from licheng.people.models import EnrolmentStatus, ProxyAssignment, RoleGrant, StaffMember, Student, User
from licheng.people.roles import PERMISSIONS, Role

router = Router(tags=["people"])


class ErrorOut(Schema):
    message: str
    field: str | None = None


def _error(error: ServiceError) -> Status[ErrorOut]:
    return Status(422, ErrorOut(message=error.message, field=error.field))


def _school(request: HttpRequest) -> Any:
    return request.school  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _require_may(request: HttpRequest, permission: str) -> None:
    """``require`` that also accepts a permission held as an office proxy today."""
    require(request)
    if not selectors.may(_user(request), _school(request), permission):
        raise forbidden()


# --- students ------------------------------------------------------------------------------------


class StudentOut(Schema):
    id: int
    student_number: str
    name: str
    national_id: str
    birth_date: datetime.date
    sex: int
    division_id: int
    class_id: int | None
    class_name: str | None
    seat: int | None
    entry_year: int
    status: str


class StudentFilters(Schema):
    q: str = ""
    grade: int | None = None
    class_id: int | None = None
    status: str | None = None
    limit: int = 100
    offset: int = 0


class StudentIn(Schema):
    student_number: str
    name: str
    national_id: str
    birth_date: datetime.date
    sex: int
    division_id: int | None = None
    class_id: int | None = None
    seat: int | None = None
    entry_year: int
    status: str = EnrolmentStatus.ENROLLED.value
    username: str | None = None
    email: str = ""


def _student_out(student: Student, shown_id: str) -> StudentOut:
    return StudentOut(
        id=student.pk,
        student_number=student.student_number,
        name=student.name,
        national_id=shown_id,
        birth_date=student.birth_date,
        sex=student.sex,
        division_id=student.division_id,
        class_id=student.school_class_id,
        class_name=student.school_class.name if student.school_class else None,
        seat=student.seat,
        entry_year=student.entry_year,
        status=student.status,
    )


@router.get("/students", response=list[StudentOut])
def students_list(request: HttpRequest, filters: Query[StudentFilters]) -> list[StudentOut]:
    """Students the caller may see (``people.view_students``: all; teachers, parents: theirs).
    National IDs are masked unless the caller has ``people.view_national_id``."""
    require(request)
    user, school = _user(request), _school(request)
    if not selectors.may_list_students(user, school):
        raise forbidden()
    students = selectors.student_list(
        user, school, grade=filters.grade, class_id=filters.class_id, status=filters.status, search=filters.q.strip()
    )
    limit = max(1, min(filters.limit, 500))
    offset = max(0, filters.offset)
    full = selectors.may(user, school, "people.view_national_id")
    return [
        _student_out(s, s.national_id if (full or s.user_id == user.pk) else s.national_id_masked)
        for s in students[offset : offset + limit]
    ]


@router.get("/students/{student_id}", response=StudentOut)
def student_detail(request: HttpRequest, student_id: int) -> StudentOut:
    require(request)
    user, school = _user(request), _school(request)
    student = get_object_or_404(
        selectors.students_visible_to(user, school).select_related("school_class"), pk=student_id
    )
    return _student_out(student, selectors.national_id_display(user, school, student))


@router.post("/students", response={201: StudentOut, 422: ErrorOut})
def student_create(request: HttpRequest, payload: StudentIn) -> Any:
    """Register a student (``people.manage_students``). The division defaults to the class's."""
    from licheng.schools.models import Division, SchoolClass

    _require_may(request, "people.manage_students")
    school = _school(request)
    school_class = None
    if payload.class_id is not None:
        school_class = SchoolClass.objects.filter(school=school, pk=payload.class_id).first()
        if school_class is None:
            return _error(ServiceError(_("That is not one of this school's classes."), field="class_id"))
    if payload.division_id is not None:
        division = Division.objects.filter(school=school, pk=payload.division_id).first()
    elif school_class is not None:
        division = school_class.division
    else:
        division = Division.objects.filter(school=school).order_by("code").first()
    if division is None:
        return _error(ServiceError(_("That division is not one of this school's divisions."), field="division_id"))
    try:
        student = services.student_create(
            actor=Actor.from_request(request),
            school=school,
            student_number=payload.student_number,
            name=payload.name,
            national_id=payload.national_id,
            birth_date=payload.birth_date,
            sex=payload.sex,
            division=division,
            school_class=school_class,
            seat=payload.seat,
            entry_year=payload.entry_year,
            status=payload.status,
            username=payload.username,
            email=payload.email,
        )
    except ServiceError as error:
        return _error(error)
    return Status(201, _student_out(student, selectors.national_id_display(_user(request), school, student)))


# --- staff ---------------------------------------------------------------------------------------


class StaffOut(Schema):
    id: int
    user_id: int
    username: str
    name: str
    title: str
    roles: list[str]


@router.get("/staff", response=list[StaffOut])
def staff_list(request: HttpRequest) -> list[StaffOut]:
    require(request, "school.view_settings")
    return [
        StaffOut(
            id=staff.pk,
            user_id=staff.user_id,
            username=staff.user.username,
            name=staff.name,
            title=staff.title,
            roles=[grant.role for grant in staff.user.role_grants.all()],
        )
        for staff in selectors.staff_of(_school(request))
    ]


# --- roles ---------------------------------------------------------------------------------------


class CodeLabel(Schema):
    code: str
    label: str


class RolesOut(Schema):
    roles: list[CodeLabel]
    permissions: list[CodeLabel]
    table: dict[str, list[str]]


class TableIn(Schema):
    table: dict[str, list[str]]


def _roles_out(school: Any) -> RolesOut:
    table = selectors.role_permission_table(school)
    return RolesOut(
        roles=[CodeLabel(code=role.value, label=str(role.label)) for role in Role],
        permissions=[CodeLabel(code=code, label=str(label)) for code, label in PERMISSIONS.items()],
        table={role: sorted(permissions) for role, permissions in table.items()},
    )


@router.get("/roles", response=RolesOut)
def roles_table(request: HttpRequest) -> RolesOut:
    """Every role, every permission, and which role has which in this school."""
    require(request, "school.view_settings")
    return _roles_out(_school(request))


@router.put("/roles/permissions", response={200: RolesOut, 422: ErrorOut})
def roles_table_replace(request: HttpRequest, payload: TableIn) -> Any:
    """Replace the whole role → permission table (``school.manage_roles``); roles left out lose all."""
    require(request, "school.manage_roles")
    school = _school(request)
    try:
        role_services.role_permissions_replace(actor=Actor.from_request(request), school=school, table=payload.table)
    except ServiceError as error:
        return _error(error)
    return Status(200, _roles_out(school))


class GrantOut(Schema):
    id: int
    user_id: int
    role: str


class GrantIn(Schema):
    user_id: int
    role: str


@router.get("/role-grants", response=list[GrantOut])
def role_grants_list(request: HttpRequest, user_id: int | None = None) -> list[GrantOut]:
    require(request, "school.manage_roles")
    school = _school(request)
    grants = RoleGrant.objects.filter(school=school, user__school=school).order_by("user_id", "role")
    if user_id is not None:
        grants = grants.filter(user_id=user_id)
    return [GrantOut(id=g.pk, user_id=g.user_id, role=g.role) for g in grants]


@router.post("/role-grants", response={201: GrantOut, 422: ErrorOut})
def role_grant_create(request: HttpRequest, payload: GrantIn) -> Any:
    require(request, "school.manage_roles")
    # Only the school's own users: another school's user or an operator answers like no user at all.
    user = selectors.users_of(_school(request)).filter(pk=payload.user_id).first()
    if user is None:
        raise HttpError(404, _("No such user."))
    try:
        grant = role_services.role_grant(
            actor=Actor.from_request(request), school=_school(request), user=user, role=payload.role
        )
    except ServiceError as error:
        return _error(error)
    return Status(201, GrantOut(id=grant.pk, user_id=grant.user_id, role=grant.role))


@router.delete("/role-grants/{grant_id}", response={204: None, 422: ErrorOut})
def role_grant_delete(request: HttpRequest, grant_id: int) -> Any:
    require(request, "school.manage_roles")
    school = _school(request)
    grant: RoleGrant = get_object_or_404(
        RoleGrant.objects.filter(school=school, user__school=school).select_related("user"), pk=grant_id
    )
    try:
        role_services.role_revoke(actor=Actor.from_request(request), school=school, user=grant.user, role=grant.role)
    except ServiceError as error:
        return _error(error)
    return Status(204, None)


# --- proxies -------------------------------------------------------------------------------------


class ProxyOut(Schema):
    id: int
    principal_id: int
    principal: str
    proxy_id: int
    proxy: str
    duty: str
    course_id: int | None
    office: str
    order: int
    starts_on: datetime.date
    ends_on: datetime.date
    reason: str


class ProxyIn(Schema):
    principal_id: int | None = None
    proxy_id: int
    duty: str
    course_id: int | None = None
    office: str = ""
    order: int | None = None
    starts_on: datetime.date
    ends_on: datetime.date
    reason: str = ""


def _proxy_out(a: ProxyAssignment) -> ProxyOut:
    return ProxyOut(
        id=a.pk,
        principal_id=a.principal_id,
        principal=str(a.principal),
        proxy_id=a.proxy_id,
        proxy=str(a.proxy),
        duty=a.duty,
        course_id=a.course_id,
        office=a.office,
        order=a.order,
        starts_on=a.starts_on,
        ends_on=a.ends_on,
        reason=a.reason,
    )


@router.get("/proxies", response=list[ProxyOut])
def proxies_list(request: HttpRequest, all: bool = False) -> list[ProxyOut]:
    """Assignments where the caller is principal or proxy; ``?all=true`` gives every assignment of
    the school to ``proxies.manage`` holders."""
    require(request)
    user, school = _user(request), _school(request)
    assignments = selectors.proxies_visible_to(user, school)
    if not all:
        from django.db.models import Q

        assignments = assignments.filter(Q(principal=user) | Q(proxy=user))
    return [_proxy_out(a) for a in assignments]


@router.post("/proxies", response={201: ProxyOut, 422: ErrorOut})
def proxy_create(request: HttpRequest, payload: ProxyIn) -> Any:
    """Assign a proxy: for anyone with ``proxies.manage``, otherwise for oneself (leave out
    ``principal_id``)."""
    from licheng.courses.models import Course

    require(request)
    user, school = _user(request), _school(request)
    manages = has_permission(user, school, "proxies.manage")
    principal_id = payload.principal_id or user.pk
    if not manages and (principal_id != user.pk or not StaffMember.objects.filter(school=school, user=user).exists()):
        # As on the page: staff name their own proxies; the working group names anyone's.
        raise forbidden()
    people = selectors.users_of(school)
    principal = people.filter(pk=principal_id).first()
    if principal is None:
        return _error(ServiceError(_("That person is not a member of this school."), field="principal_id"))
    proxy = people.filter(pk=payload.proxy_id).first()
    if proxy is None:
        return _error(ServiceError(_("That person is not a member of this school."), field="proxy_id"))
    course = None
    if payload.course_id is not None:
        course = Course.objects.filter(school=school, pk=payload.course_id).first()
        if course is None:
            return _error(ServiceError(_("That is not a course of this school."), field="course_id"))
    try:
        assignment = proxies.proxy_assign(
            actor=Actor.from_request(request),
            school=school,
            principal=principal,
            proxy=proxy,
            duty=payload.duty,
            course=course,
            office=payload.office,
            order=payload.order,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            reason=payload.reason,
        )
    except ServiceError as error:
        return _error(error)
    return Status(201, _proxy_out(assignment))


@router.delete("/proxies/{assignment_id}", response={204: None})
def proxy_delete(request: HttpRequest, assignment_id: int) -> Any:
    require(request)
    user, school = _user(request), _school(request)
    assignment = get_object_or_404(selectors.proxies_visible_to(user, school), pk=assignment_id)
    if assignment.principal_id != user.pk and not has_permission(user, school, "proxies.manage"):
        raise forbidden()
    proxies.proxy_revoke(actor=Actor.from_request(request), assignment=assignment)
    return Status(204, None)


# --- profile verification each term ---------------------------------------------------------------


class ProfileCheckOut(Schema):
    id: int
    round_id: int
    term: str
    closes_on: datetime.date
    round_open: bool
    status: str
    report_text: str
    resolution_note: str
    student_number: str
    name: str
    class_name: str | None
    seat: int | None
    birth_date: datetime.date
    national_id: str
    division: str
    enrolment_status: str


class ReportIn(Schema):
    text: str


class ClassCountsOut(Schema):
    class_id: int | None
    class_name: str | None
    total: int
    confirmed: int
    reported: int
    resolved: int
    pending: int


def _check_out(request: HttpRequest, check: Any) -> ProfileCheckOut:
    from licheng.people.models import Student as StudentModel

    student = StudentModel.objects.select_related("school_class", "division").get(pk=check.student_id)
    verification_round = check.round
    return ProfileCheckOut(
        id=check.pk,
        round_id=verification_round.pk,
        term=str(verification_round.term),
        closes_on=verification_round.closes_on,
        round_open=verification_round.is_open,
        status=check.status,
        report_text=check.report_text,
        resolution_note=check.resolution_note,
        student_number=student.student_number,
        name=student.name,
        class_name=student.school_class.name if student.school_class else None,
        seat=student.seat,
        birth_date=student.birth_date,
        national_id=selectors.national_id_display(_user(request), _school(request), student),
        division=student.division.name,
        enrolment_status=student.status,
    )


def _own_check_or_404(request: HttpRequest, check_id: int) -> Any:
    from licheng.people import verification

    check = verification.own_check(_user(request), _school(request), check_id)
    if check is None:
        raise HttpError(404, _("Not found."))
    return check


@router.get("/verification/mine", response=ProfileCheckOut, url_name="verification_mine")
def verification_mine(request: HttpRequest) -> ProfileCheckOut:
    """The caller's own profile check in the newest round (404 if the caller is not a student or
    there is no round)."""
    from licheng.people import verification

    require(request)
    user, school = _user(request), _school(request)
    student = Student.objects.filter(school=school, user=user).first()
    verification_round = verification.latest_round(school)
    check = verification.check_for_student(student, verification_round) if student and verification_round else None
    if check is None:
        raise HttpError(404, _("Not found."))
    return _check_out(request, check)


@router.post(
    "/verification/checks/{check_id}/confirm",
    response={200: ProfileCheckOut, 422: ErrorOut},
    url_name="verification_confirm",
)
def verification_confirm(request: HttpRequest, check_id: int) -> Any:
    from licheng.people import verification

    require(request)
    check = _own_check_or_404(request, check_id)
    try:
        check = verification.profile_confirm(actor=Actor.from_request(request), check=check)
    except ServiceError as error:
        return _error(error)
    return _check_out(request, check)


@router.post(
    "/verification/checks/{check_id}/report",
    response={200: ProfileCheckOut, 422: ErrorOut},
    url_name="verification_report",
)
def verification_report(request: HttpRequest, check_id: int, payload: ReportIn) -> Any:
    from licheng.people import verification

    require(request)
    check = _own_check_or_404(request, check_id)
    try:
        check = verification.profile_report(actor=Actor.from_request(request), check=check, text=payload.text)
    except ServiceError as error:
        return _error(error)
    return _check_out(request, check)


@router.get(
    "/verification/rounds/{round_id}/dashboard",
    response=list[ClassCountsOut],
    url_name="verification_dashboard",
)
def verification_dashboard(request: HttpRequest, round_id: int) -> list[ClassCountsOut]:
    """Counts per class (registry: every class; homeroom teachers: their own classes)."""
    from licheng.people import verification

    require(request)
    user, school = _user(request), _school(request)
    if not verification.may_follow(user, school):
        raise forbidden()
    verification_round = verification.round_of(school, round_id)
    if verification_round is None:
        raise HttpError(404, _("Not found."))
    return [
        ClassCountsOut(
            class_id=row.class_id,
            class_name=row.class_name,
            total=row.total,
            confirmed=row.confirmed,
            reported=row.reported,
            resolved=row.resolved,
            pending=row.pending,
        )
        for row in verification.dashboard(user, school, verification_round)
    ]
