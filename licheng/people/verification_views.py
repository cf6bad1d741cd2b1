"""Pages for the profile verification each term. Thin: parse, call a selector or service, render.

- ``people:my_profile_check`` (students): see the profile, confirm it or report what is wrong;
- ``people:verification_rounds`` (registry: rounds + open form; homeroom teachers: the rounds);
- ``people:verification_round`` (counts per class: all classes for the registry, a homeroom
  teacher's own classes for them), ``people:verification_class`` (each student's state, the open
  reports with a resolve form for the registry).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.core.permissions import school_view
from licheng.people import selectors
from licheng.people import verification as v
from licheng.people.models import CheckStatus, ProfileCheck, User
from licheng.schools.forms import RocDateField
from licheng.schools.models import School, SchoolClass, Term


def _school(request: HttpRequest) -> School:
    school: School = request.school  # type: ignore[attr-defined]
    return school


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class RoundForm(forms.Form):
    term: forms.ModelChoiceField[Term] = forms.ModelChoiceField(
        queryset=Term.objects.none(), label=gettext_lazy("term")
    )
    closes_on = RocDateField(label=gettext_lazy("closes on"))

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.filter(school=school).select_related("academic_year")  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("What is wrong?"),
        max_length=v.REPORT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ResolveForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("resolution note"), max_length=v.REPORT_MAX_CHARS, required=False)


# --- the student ---------------------------------------------------------------------------------


@school_view()
def my_profile_check(request: HttpRequest) -> HttpResponse:
    """The student's own profile and their answer in the newest round."""
    user, school = _user(request), _school(request)
    student = (
        selectors.students_visible_to(user, school).filter(user=user).select_related("school_class", "division").first()
    )
    if student is None:
        raise Http404
    verification_round = v.latest_round(school)
    check = v.check_for_student(student, verification_round) if verification_round else None
    return render(
        request,
        "people/verification/mine.html",
        {
            "student": student,
            "national_id": selectors.national_id_display(user, school, student),
            "round": verification_round,
            "check": check,
            "report_form": ReportForm(),
            "STATUS": CheckStatus,
        },
    )


def _own_check(request: HttpRequest, pk: int) -> ProfileCheck:
    check = v.own_check(_user(request), _school(request), pk)
    if check is None:
        raise Http404
    return check


@require_POST
@school_view()
def profile_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    check = _own_check(request, pk)
    try:
        v.profile_confirm(actor=Actor.from_request(request), check=check)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: your profile is confirmed."))
    return redirect("people:my_profile_check")


@require_POST
@school_view()
def profile_report(request: HttpRequest, pk: int) -> HttpResponse:
    check = _own_check(request, pk)
    form = ReportForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else request.POST.get("text", "")
    try:
        v.profile_report(actor=Actor.from_request(request), check=check, text=text)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your report was sent to the registry."))
    return redirect("people:my_profile_check")


# --- registry and homeroom teachers --------------------------------------------------------------


def _follow(request: HttpRequest) -> None:
    if not v.may_follow(_user(request), _school(request)):
        raise PermissionDenied


def _round(request: HttpRequest, pk: int) -> Any:
    verification_round = v.round_of(_school(request), pk)
    if verification_round is None:
        raise Http404
    return verification_round


@school_view()
def rounds(request: HttpRequest) -> HttpResponse:
    _follow(request)
    school = _school(request)
    can_manage = v.may_manage(_user(request), school)
    form = RoundForm(request.POST or None, school=school) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                opened = v.verification_round_open(
                    actor=Actor.from_request(request),
                    school=school,
                    term=form.cleaned_data["term"],
                    closes_on=form.cleaned_data["closes_on"],
                )
            except ServiceError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, _("Verification round opened."))
                return redirect("people:verification_round", pk=opened.pk)
    return render(
        request,
        "people/verification/rounds.html",
        {"rounds": list(v.rounds_of(school)), "form": form, "can_manage": can_manage},
    )


@school_view()
def round_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    _follow(request)
    user, school = _user(request), _school(request)
    verification_round = _round(request, pk)
    rows = v.dashboard(user, school, verification_round)
    totals = {
        key: sum(getattr(row, key) for row in rows) for key in ("total", "confirmed", "reported", "resolved", "pending")
    }
    return render(
        request,
        "people/verification/round.html",
        {"round": verification_round, "rows": rows, "totals": totals, "can_manage": v.may_manage(user, school)},
    )


@require_POST
@school_view()
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    if not v.may_manage(_user(request), _school(request)):
        raise PermissionDenied
    verification_round = _round(request, pk)
    try:
        v.verification_round_close(actor=Actor.from_request(request), verification_round=verification_round)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Verification round closed."))
    return redirect("people:verification_round", pk=verification_round.pk)


@school_view()
def class_detail(request: HttpRequest, pk: int, class_pk: int) -> HttpResponse:
    """One class's students and their answers; ``class_pk`` 0 lists students without a class."""
    _follow(request)
    user, school = _user(request), _school(request)
    verification_round = _round(request, pk)
    school_class = None
    if class_pk:
        school_class = SchoolClass.objects.filter(school=school, pk=class_pk).first()
        if school_class is None:
            raise Http404
    can_manage = v.may_manage(user, school)
    if not can_manage and (school_class is None or school_class.homeroom_teacher_id != user.pk):
        raise Http404
    checks = list(v.class_checks(user, school, verification_round, school_class))
    return render(
        request,
        "people/verification/class.html",
        {
            "round": verification_round,
            "school_class": school_class,
            "checks": checks,
            "reports": [check for check in checks if check.status == CheckStatus.REPORTED],
            "can_manage": can_manage,
            "resolve_form": ResolveForm(),
            "STATUS": CheckStatus,
        },
    )


@require_POST
@school_view()
def report_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user, school = _user(request), _school(request)
    if not v.may_manage(user, school):
        raise PermissionDenied
    check = v.check_for_registry(school, pk)
    if check is None:
        raise Http404
    form = ResolveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else request.POST.get("note", "")
    try:
        v.profile_report_resolve(actor=Actor.from_request(request), check=check, note=note)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Report resolved."))
    return redirect("people:verification_class", pk=check.round_id, class_pk=check.student.school_class_id or 0)
