"""Pages for students, staff, parents, roles and proxies. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission, school_view
from licheng.people import parent_services, proxies, role_services, roster_codes, selectors, services
from licheng.people.forms import (
    ParentForm,
    ParentLinkForm,
    ProxyForm,
    RoleGrantForm,
    StaffForm,
    StudentFilterForm,
    StudentForm,
)
from licheng.people.models import ParentLink, ProxyAssignment, RoleGrant, StaffMember, Student, User
from licheng.people.roles import PERMISSIONS, STAFF_ROLES, Role
from licheng.schools.models import School

PAGE_SIZE = 50


def office_view(permission: str) -> Callable[..., Any]:
    """Like ``school_view(permission)``, but an office proxy in effect today (``office_entry``)
    of someone holding the permission through their office may use the page too."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not selectors.may(_user(request), _school(request), permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped = school_view()(inner)
        wrapped.licheng_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator


def _school(request: HttpRequest) -> School:
    school: School = request.school  # type: ignore[attr-defined]
    return school


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _apply_error(form: Any, error: ServiceError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _visible_student(request: HttpRequest, pk: int) -> Student:
    return get_object_or_404(selectors.students_visible_to(_user(request), _school(request)), pk=pk)


# --- students ------------------------------------------------------------------------------------


@school_view()
def student_list(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    user = _user(request)
    if not selectors.may_list_students(user, school):
        raise PermissionDenied
    form = StudentFilterForm(request.GET or None, school=school)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "grade": data["grade"],
            "class_id": data["school_class"].pk if data["school_class"] else None,
            "status": data["status"] or None,
            "search": data["q"].strip(),
        }
    students = selectors.student_list(user, school, **filters)
    page = Paginator(students, PAGE_SIZE).get_page(request.GET.get("page"))
    full_ids = selectors.may(user, school, "people.view_national_id")
    rows = [
        (s, s.national_id if (full_ids or s.user_id == user.pk) else s.national_id_masked) for s in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/student_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_create": selectors.may(user, school, "people.manage_students"),
        },
    )


def _current_enrolments(student: Student) -> list[Any]:
    from licheng.courses.models import Enrolment
    from licheng.schools.models import Term

    today = selectors.today()
    term = (
        Term.objects.filter(school_id=student.school_id, starts_on__lte=today, ends_on__gte=today)
        .select_related("academic_year")
        .first()
    )
    if term is None:
        return []
    return list(
        Enrolment.objects.filter(school_id=student.school_id, student=student, course__term=term).select_related(
            "course__term__academic_year", "course__school_class"
        )
    )


@school_view()
def student_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request)
    user = _user(request)
    student = _visible_student(request, pk)
    can_manage = selectors.may(user, school, "people.manage_students")
    return render(
        request,
        "people/student_detail.html",
        {
            "student": student,
            "national_id": selectors.national_id_display(user, school, student),
            # 特殊身分別 and the indigenous fields are sensitive: only the registry's role sees them.
            "roster": roster_codes.display(student) if can_manage else [],
            "parents": selectors.parents_of(student),
            "enrolments": _current_enrolments(student),
            "can_manage": can_manage,
            "can_manage_parents": selectors.may(user, school, "people.manage_parents"),
            "can_change_status": selectors.may(user, school, "lifecycle.manage_status"),
        },
    )


@office_view("people.manage_students")
def student_create(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    form = StudentForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            student = services.student_create(actor=Actor.from_request(request), school=school, **form.cleaned_data)
        except ServiceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Student %(name)s registered.") % {"name": student.name})
            return redirect("people:student_detail", pk=student.pk)
    return render(request, "people/student_form.html", {"form": form, "student": None})


@office_view("people.manage_students")
def student_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request)
    student = _visible_student(request, pk)
    shown_id = selectors.national_id_display(_user(request), school, student)
    initial = {
        "student_number": student.student_number,
        "name": student.name,
        # Without ``people.view_national_id`` the form shows the masked number; sending it back
        # unchanged keeps the stored one.
        "national_id": shown_id,
        "birth_date": student.birth_date,
        "sex": student.sex,
        "division": student.division_id,
        "school_class": student.school_class_id,
        "seat": student.seat,
        "entry_year": student.entry_year,
        **{name: getattr(student, name) for name in roster_codes.ROSTER_FIELD_NAMES},
    }
    form = StudentForm(request.POST or None, school=school, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            values = dict(form.cleaned_data)
            if values["national_id"].strip().upper() == shown_id and "*" in shown_id:
                del values["national_id"]
            services.student_update(actor=Actor.from_request(request), student=student, **values)
        except ServiceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("people:student_detail", pk=student.pk)
    return render(request, "people/student_form.html", {"form": form, "student": student})


# --- parents -------------------------------------------------------------------------------------


@office_view("people.manage_parents")
def parent_create(request: HttpRequest, pk: int) -> HttpResponse:
    student = _visible_student(request, pk)
    form = ParentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            parent_services.parent_create(
                actor=Actor.from_request(request),
                school=_school(request),
                student=student,
                **form.cleaned_data,
            )
        except ServiceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Parent account created and linked."))
            return redirect("people:student_detail", pk=student.pk)
    return render(request, "people/parent_form.html", {"form": form, "student": student, "linking": False})


@office_view("people.manage_parents")
def parent_link(request: HttpRequest, pk: int) -> HttpResponse:
    student = _visible_student(request, pk)
    form = ParentLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        parent = selectors.users_of(_school(request)).filter(username=form.cleaned_data["username"].strip()).first()
        if parent is None:
            form.add_error("username", _("There is no account with that login name in this school."))
        else:
            try:
                parent_services.parent_link(
                    actor=Actor.from_request(request),
                    parent=parent,
                    student=student,
                    relation=form.cleaned_data["relation"],
                )
            except ServiceError as error:
                _apply_error(form, error)
            else:
                messages.success(request, _("Parent linked."))
                return redirect("people:student_detail", pk=student.pk)
    return render(request, "people/parent_form.html", {"form": form, "student": student, "linking": True})


@require_POST
@office_view("people.manage_parents")
def parent_unlink(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    student = _visible_student(request, pk)
    link: ParentLink = get_object_or_404(
        ParentLink.objects.filter(school=_school(request), student=student), pk=link_pk
    )
    parent_services.parent_unlink(actor=Actor.from_request(request), link=link)
    messages.success(request, _("Parent unlinked."))
    return redirect("people:student_detail", pk=student.pk)


# --- staff ---------------------------------------------------------------------------------------


@school_view("school.view_settings")
def staff_list(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    page = Paginator(selectors.staff_of(school), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/staff_list.html",
        {
            "page": page,
            "can_manage": has_permission(_user(request), school, "people.manage_staff"),
            "can_manage_roles": has_permission(_user(request), school, "school.manage_roles"),
        },
    )


@school_view("people.manage_staff")
def staff_create(request: HttpRequest) -> HttpResponse:
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_create(actor=Actor.from_request(request), school=_school(request), **form.cleaned_data)
        except ServiceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Staff account created."))
            return redirect("people:staff_list")
    return render(request, "people/staff_form.html", {"form": form, "staff": None})


@school_view("people.manage_staff")
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request)
    staff: StaffMember = get_object_or_404(StaffMember.objects.filter(school=school).select_related("user"), pk=pk)
    roles = sorted(set(selectors.role_grants_of(staff.user, school).values_list("role", flat=True)) & set(STAFF_ROLES))
    initial = {
        "name": staff.name,
        "title": staff.title,
        "subjects": staff.subjects,
        "email": staff.user.email,
        "roles": roles,
    }
    form = StaffForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(actor=Actor.from_request(request), staff=staff, **form.cleaned_data)
        except ServiceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Staff member saved."))
            return redirect("people:staff_list")
    return render(request, "people/staff_form.html", {"form": form, "staff": staff})


# --- roles ---------------------------------------------------------------------------------------


@school_view("school.view_settings")
def role_permissions(request: HttpRequest) -> HttpResponse:
    """角色權限設定: a roles × permissions table, editable with ``school.manage_roles``."""
    school = _school(request)
    can_edit = has_permission(_user(request), school, "school.manage_roles")
    error = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        posted = {role.value: request.POST.getlist(role.value) for role in Role}
        try:
            changes = role_services.role_permissions_replace(
                actor=Actor.from_request(request), school=school, table=posted
            )
        except ServiceError as problem:
            error = problem.message
        else:
            if changes:
                messages.success(request, _("Role permissions saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("people:role_permissions")
    table = selectors.role_permission_table(school)
    groups: dict[str, list[tuple[str, Any, list[tuple[Role, bool]]]]] = {}
    for code, label in PERMISSIONS.items():
        cells = [(role, code in table.get(role.value, set())) for role in Role]
        groups.setdefault(code.split(".", 1)[0], []).append((code, label, cells))
    grouped = [(PERMISSION_GROUPS.get(prefix, prefix), rows) for prefix, rows in groups.items()]
    return render(
        request,
        "people/role_permissions.html",
        {"roles": list(Role), "groups": grouped, "can_edit": can_edit, "error": error},
    )


# The permission page's groups: a permission code's first part, in the words of the product.
PERMISSION_GROUPS = {
    "school": gettext_lazy("School and accounts"),
    "people": gettext_lazy("Students and staff"),
    "proxies": gettext_lazy("Proxies"),
    "courses": gettext_lazy("Courses"),
    "portfolio": gettext_lazy("Course outcomes and certification"),
    "performances": gettext_lazy("Performances and writings"),
    "records": gettext_lazy("Records entered by offices"),
    "counselling": gettext_lazy("Course counselling"),
    "schedule": gettext_lazy("Work schedule"),
    "progress": gettext_lazy("Progress and self-check"),
    "announcements": gettext_lazy("Announcements and help"),
    "workinggroup": gettext_lazy("Working group"),
    "submissions": gettext_lazy("Submissions"),
    "receipts": gettext_lazy("Receipt confirmation"),
    "lifecycle": gettext_lazy("Status changes and retention"),
    "backups": gettext_lazy("Backups"),
    "notifications": gettext_lazy("Notices"),
    "audit": gettext_lazy("Audit trail"),
}


@require_POST
@school_view("school.manage_roles")
def role_permissions_reset(request: HttpRequest) -> HttpResponse:
    role_services.role_permissions_reset(actor=Actor.from_request(request), school=_school(request))
    messages.success(request, _("Role permissions are back to the defaults."))
    return redirect("people:role_permissions")


@school_view("school.manage_roles")
def user_roles(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request)
    person = get_object_or_404(selectors.users_of(school), pk=pk)
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role_services.role_grant(
                actor=Actor.from_request(request), school=school, user=person, role=form.cleaned_data["role"]
            )
        except ServiceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Role granted."))
            return redirect("people:user_roles", pk=person.pk)
    return render(
        request,
        "people/user_roles.html",
        {"person": person, "grants": selectors.role_grants_of(person, school), "form": form},
    )


@require_POST
@school_view("school.manage_roles")
def user_role_revoke(request: HttpRequest, pk: int, role: str) -> HttpResponse:
    school = _school(request)
    person = get_object_or_404(selectors.users_of(school), pk=pk)
    if not RoleGrant.objects.filter(school=school, user=person, role=role).exists():
        raise Http404
    try:
        role_services.role_revoke(actor=Actor.from_request(request), school=school, user=person, role=role)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Role revoked."))
    return redirect("people:user_roles", pk=person.pk)


# --- proxies -------------------------------------------------------------------------------------


@school_view()
def proxy_list(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    user = _user(request)
    assignments = selectors.proxies_visible_to(user, school).select_related(
        "course__term__academic_year", "course__school_class"
    )
    page = Paginator(assignments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/proxy_list.html",
        {
            "page": page,
            "manages_all": has_permission(user, school, "proxies.manage"),
            "is_staff_member": StaffMember.objects.filter(school=school, user=user).exists(),
        },
    )


def _proxy_form_principal(request: HttpRequest) -> User | None:
    """``None`` (choose any principal) for the working group; the user themself otherwise."""
    if has_permission(_user(request), _school(request), "proxies.manage"):
        return None
    if not StaffMember.objects.filter(school=_school(request), user=_user(request)).exists():
        raise PermissionDenied
    return _user(request)


@school_view()
def proxy_create(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    fixed = _proxy_form_principal(request)
    form = ProxyForm(request.POST or None, school=school, principal=fixed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proxies.proxy_assign(
                actor=Actor.from_request(request),
                school=school,
                principal=fixed or data["principal"],
                proxy=data["proxy"],
                duty=data["duty"],
                course=data["course"],
                office=data["office"],
                order=data["order"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
            )
        except ServiceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Proxy assigned."))
            return redirect("people:proxy_list")
    return render(request, "people/proxy_form.html", {"form": form})


def _managed_assignment(request: HttpRequest, pk: int) -> ProxyAssignment:
    """An assignment the user may change: any for the working group, their own as principal."""
    school = _school(request)
    assignments = selectors.proxies_visible_to(_user(request), school)
    assignment = get_object_or_404(assignments, pk=pk)
    if assignment.principal_id != _user(request).pk and not has_permission(_user(request), school, "proxies.manage"):
        raise PermissionDenied
    return assignment


@require_POST
@school_view()
def proxy_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _managed_assignment(request, pk)
    proxies.proxy_revoke(actor=Actor.from_request(request), assignment=assignment)
    messages.success(request, _("Proxy revoked."))
    return redirect("people:proxy_list")
