"""Pages of parent binding (親子綁定, ``licheng.people.binding``): the student's and the registry's
code pages, the parent's redeem page, their children and the child they are looking at now."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from licheng.audit.models import AuditEntry
from licheng.audit.services import Actor
from licheng.audit.words import action_label
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_role, school_view
from licheng.people import binding
from licheng.people.models import ParentBindingCode, ParentLink, Student
from licheng.people.roles import Role
from licheng.people.views import _school, _user, _visible_student, office_view
from licheng.schools.models import School

# The session key of the child a parent with several children is looking at.
CHOSEN_CHILD_KEY = "parent_child_id"


def _issued(request: HttpRequest, student: Student, code: ParentBindingCode, plain: str, back: str) -> HttpResponse:
    """The code, shown this once (only its hash is kept)."""
    return render(
        request,
        "people/parent_code_issued.html",
        {"student": student, "code": code, "plain": binding.grouped(plain), "back": back},
    )


def _codes_page(request: HttpRequest, student: Student, *, mine: bool) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            code, plain = binding.code_issue(
                actor=Actor.from_request(request), student=student, relation=request.POST.get("relation", "")
            )
        except ServiceError as refusal:
            error = refusal.message
        else:
            back = "people:my_parent_codes" if mine else "people:student_parent_codes"
            return _issued(request, student, code, plain, back)
    codes = ParentBindingCode.objects.filter(school=student.school, student=student).select_related("used_by")[:20]
    return render(
        request,
        "people/parent_codes.html",
        {
            "student": student,
            "mine": mine,
            "error": error,
            "codes": [(code, binding.code_state(code)) for code in codes],
            "parents": ParentLink.objects.filter(school=student.school, student=student).select_related("parent"),
            "days": settings.PARENT_CODE_DAYS,
        },
        status=422 if error else 200,
    )


@school_view()
@require_http_methods(["GET", "POST"])
def my_parent_codes(request: HttpRequest) -> HttpResponse:
    """A student issues a code for their parent, and sees their codes and who is linked."""
    student = Student.objects.filter(school=_school(request), user=_user(request)).first()
    if student is None:
        raise Http404
    return _codes_page(request, student, mine=True)


@office_view("people.manage_parents")
@require_http_methods(["GET", "POST"])
def student_parent_codes(request: HttpRequest, pk: int) -> HttpResponse:
    """The registry issues a code from a student's profile."""
    return _codes_page(request, _visible_student(request, pk), mine=False)


@require_POST
@school_view()
def parent_code_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    code: ParentBindingCode = get_object_or_404(
        ParentBindingCode.objects.filter(school=_school(request)).select_related("student"), pk=pk
    )
    user = _user(request)
    if not binding.may_issue(user, code.student):
        raise Http404
    try:
        binding.code_revoke(actor=Actor.from_request(request), code=code)
    except ServiceError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The code was revoked; it can no longer be used."))
    if code.student.user_id == user.pk:
        return redirect("people:my_parent_codes")
    return redirect("people:student_parent_codes", pk=code.student_id)


# --- the parent's side ---------------------------------------------------------------------------


def _pending_identity(request: HttpRequest) -> dict[str, Any] | None:
    identity = request.session.get(binding.SSO_PENDING_KEY)
    if not isinstance(identity, dict) or not {"provider", "subject", "school_id"} <= set(identity):
        return None
    return identity


@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest) -> HttpResponse:
    """A parent enters the code their child (or the registry) gave them. Signed in: any account of
    the school but a student's. Not signed in: only someone who has just signed in through an
    outside provider with no account yet (``sso_pending_identity``); they get a new parent account."""
    identity = None
    school: School | None
    if request.user.is_authenticated:
        user = _user(request)
        school = user.school
        if school is None:
            raise Http404
        if has_role(user, school, Role.STUDENT) or Student.objects.filter(user=user).exists():
            raise PermissionDenied
    else:
        identity = _pending_identity(request)
        if identity is None:
            return redirect_to_login(request.get_full_path())
        school = School.objects.filter(pk=identity["school_id"]).first()
        if school is None:
            raise Http404
    error = None
    entered = request.POST.get("code", "") if request.method == "POST" else ""
    if request.method == "POST":
        actor = Actor.from_request(request)
        relation = request.POST.get("relation", "")
        try:
            if identity is None:
                link = binding.code_redeem(actor=actor, parent=_user(request), code=entered, relation=relation)
            else:
                link = binding.code_redeem_signing_in(actor=actor, identity=identity, code=entered, relation=relation)
        except ServiceError as refusal:
            error = refusal.message
        else:
            if identity is not None:
                from licheng.accounts.services import login_succeeded

                del request.session[binding.SSO_PENDING_KEY]
                login(request, link.parent, backend="licheng.accounts.backends.SchoolModelBackend")
                login_succeeded(actor=Actor.from_request(request), user=link.parent)
            request.session[CHOSEN_CHILD_KEY] = link.student_id
            messages.success(
                request, _("You are now linked to %(student)s as their parent.") % {"student": link.student.name}
            )
            return redirect("parent_children")
    return render(
        request,
        "people/parent_redeem.html",
        {"error": error, "entered": entered, "identity": identity, "school": school},
        status=422 if error else 200,
    )


def chosen_child(request: HttpRequest, links: list[ParentLink]) -> ParentLink | None:
    """The child the parent picked (kept in the session), else their first child."""
    chosen = request.session.get(CHOSEN_CHILD_KEY)
    for link in links:
        if link.student_id == chosen:
            return link
    return links[0] if links else None


@school_view()
def children(request: HttpRequest) -> HttpResponse:
    """Every child the parent is bound to, the one they look at now, and the history of their binding."""
    school, user = _school(request), _user(request)
    links = list(binding.children_of(user, school))
    current = chosen_child(request, links)
    codes = ParentBindingCode.objects.filter(school=school).filter(
        Q(used_by=user) | Q(student__in=[link.student_id for link in links])
    )
    code_ids = list(codes.values_list("pk", flat=True))
    history = (
        AuditEntry.objects.filter(school=school, action__startswith="parent_code.")
        .filter(Q(actor=user) | Q(object_type="people.parentbindingcode", object_id__in=[str(pk) for pk in code_ids]))
        .select_related("actor")
        .order_by("-at", "-pk")[:50]
    )
    return render(
        request,
        "people/parent_children.html",
        {
            "links": links,
            "current": current,
            "history": [
                (entry, action_label(entry.action), binding.REASON_WORDS.get(entry.changes.get("reason", ""), ""))
                for entry in history
            ],
        },
    )


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


@require_POST
@school_view()
def child_switch(request: HttpRequest) -> HttpResponse:
    """The parent picks which child's pages they look at."""
    wanted = request.POST.get("student", "")
    link = None
    if wanted.isdigit():
        link = ParentLink.objects.filter(school=_school(request), parent=_user(request), student_id=int(wanted)).first()
    if link is None:
        raise Http404
    request.session[CHOSEN_CHILD_KEY] = link.student_id
    return redirect(_safe_next(request) or "parent_children")


@require_POST
@school_view()
def child_unbind(request: HttpRequest, pk: int) -> HttpResponse:
    """The parent ends their own link to a child."""
    link: ParentLink = get_object_or_404(
        ParentLink.objects.filter(school=_school(request), parent=_user(request)), pk=pk
    )
    binding.parent_unbind(actor=Actor.from_request(request), link=link)
    messages.success(request, _("You are no longer linked to %(student)s.") % {"student": link.student.name})
    return redirect("parent_children")
