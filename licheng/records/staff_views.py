"""Pages for cadre roles (幹部經歷), attendance (出缺勤) and rewards/penalties (獎懲): a filterable
list, an entry form, delete, XLSX export, cadre-role verification, and one student's records.
Imports go through the shared import pages (``views.import_start`` with the kind's key)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core import spreadsheets as sheets
from licheng.core.errors import ServiceError
from licheng.core.permissions import school_view
from licheng.people.models import Student
from licheng.records import selectors, staff_services
from licheng.records.career_records import career_cells, career_headers
from licheng.records.models import AttendanceKind, CadreLevel, RewardPenaltyKind
from licheng.records.staff_forms import FORMS
from licheng.records.staff_records import KINDS
from licheng.records.views import EXPORT_LIMIT, PAGE_SIZE, _xlsx
from licheng.schools import rocdate
from licheng.schools.models import SchoolClass

# URL names per kind: list, create, edit, delete, export.
URLS = {
    "cadre_roles": ("cadre_roles", "cadre_role_create", "cadre_role_edit", "cadre_role_delete", "cadre_role_export"),
    "attendance": ("attendance", "attendance_create", "attendance_edit", "attendance_delete", "attendance_export"),
    "rewards_penalties": (
        "rewards_penalties",
        "reward_penalty_create",
        "reward_penalty_edit",
        "reward_penalty_delete",
        "reward_penalty_export",
    ),
    "career_exploration": (
        "career_exploration",
        "career_exploration_create",
        "career_exploration_edit",
        "career_exploration_delete",
        "career_exploration_export",
    ),
}
CHOICES = {
    "cadre_roles": CadreLevel.choices,
    "attendance": AttendanceKind.choices,
    "rewards_penalties": RewardPenaltyKind.choices,
    "career_exploration": [],
}


def _headers(kind: str) -> list[str]:
    if kind == "cadre_roles":
        return [_("Unit"), _("Post"), _("Cadre level"), _("Start date"), _("End date"), _("Verified")]
    if kind == "attendance":
        return [_("Absence kind"), _("Periods"), _("Date")]
    if kind == "career_exploration":
        return career_headers()
    return [_("Reward or penalty"), _("Count"), _("Reason"), _("Decision date")]


def cells(kind: str, obj: Any) -> list[str]:
    """The kind-specific cells of one row, as shown in lists."""
    if kind == "cadre_roles":
        verified = rocdate.format_roc(obj.verified_at.date()) if obj.verified_at else _("Not yet")
        return [
            obj.unit,
            obj.post,
            obj.get_level_display(),
            rocdate.format_roc(obj.starts_on),
            rocdate.format_roc(obj.ends_on),
            verified,
        ]
    if kind == "career_exploration":
        return career_cells(obj)
    if kind == "attendance":
        return [
            obj.get_kind_display(),
            str(obj.periods),
            rocdate.format_roc(obj.occurred_on) if obj.occurred_on else "",
        ]
    return [obj.get_kind_display(), str(obj.count), obj.reason, rocdate.format_roc(obj.decided_on)]


def _list_filters(params: Mapping[str, str]) -> dict[str, Any]:
    """The list's filters from the query string (or the verify form): term, class, student, choice."""
    year = number = None
    term_text = params.get("term", "").strip()
    if term_text:
        try:
            year, number = rocdate.parse_term(term_text)
        except rocdate.RocDateError:
            year = number = None
    class_id = params.get("class", "")
    return {
        "academic_year": year,
        "term": number,
        "class_id": int(class_id) if class_id.isdigit() else None,
        "search": params.get("q", "").strip()[:60],
        "choice": params.get("choice", "").strip()[:20],
        "verified": params.get("verified", ""),
    }


def _list(request: HttpRequest, kind: str) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    rows = selectors.staff_record_list(request.user, school, kind, **_list_filters(request.GET))  # type: ignore[arg-type]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    names = URLS[kind]
    return render(
        request,
        "records/staff_record_list.html",
        {
            "kind": kind,
            "label": KINDS[kind].label,
            "urls": dict(zip(("list", "create", "edit", "delete", "export"), names, strict=True)),
            "page": page,
            "rows": [{"obj": obj, "cells": cells(kind, obj)} for obj in page.object_list],
            "headers": _headers(kind),
            "choices": CHOICES[kind],
            "classes": SchoolClass.objects.filter(school=school).order_by("-academic_year__year", "grade", "name")[
                :200
            ],
            "filters": request.GET,
            "class_id": _list_filters(request.GET)["class_id"],
            "query": urlencode(query),
            # cadre roles: how many "verify all shown" would touch, and whether any filter narrows it
            "to_verify": staff_services.cadre_roles_to_verify(rows).count() if kind == "cadre_roles" else 0,
            "filtered": any(request.GET.get(k) for k in ("term", "class", "q", "choice")),
        },
    )


def _export(request: HttpRequest, kind: str) -> HttpResponse:
    spec = KINDS[kind]
    rows = selectors.staff_record_list(request.user, request.school, kind, **_list_filters(request.GET))  # type: ignore[arg-type, attr-defined]
    content = sheets.export_xlsx(str(spec.label), spec.columns, (spec.export_row(obj) for obj in rows[:EXPORT_LIMIT]))
    return _xlsx(content, f"licheng-{kind.replace('_', '-')}.xlsx")


def _form(request: HttpRequest, kind: str, pk: int | None) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    entry = selectors.staff_record(request.user, school, kind, pk) if pk else None  # type: ignore[arg-type]
    form_class = FORMS[kind]
    form = form_class(request.POST or None, initial=form_class.initial_for(entry) if entry else None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["student_number"]
        student = Student.objects.filter(school=school, student_number=number).first()
        if student is None:
            form.add_error("student_number", _("No student with number %(value)s in this school.") % {"value": number})
        else:
            try:
                staff_services.entry_save(
                    actor=Actor.from_request(request),
                    school=school,
                    kind=kind,
                    student=student,
                    values=form.values(),
                    entry=entry,
                )
            except ServiceError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("The record has been saved."))
                return redirect(f"records:{URLS[kind][0]}")
    return render(
        request,
        "records/staff_record_form.html",
        {"form": form, "entry": entry, "label": KINDS[kind].label, "kind": kind, "urls": URLS[kind]},
    )


def _delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    entry = selectors.staff_record(request.user, request.school, kind, pk)  # type: ignore[arg-type, attr-defined]
    try:
        staff_services.entry_delete(actor=Actor.from_request(request), school=request.school, kind=kind, entry=entry)  # type: ignore[attr-defined]
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The record has been deleted."))
    return redirect(f"records:{URLS[kind][0]}")


# --- cadre roles (records.manage_cadre_roles) ---


@school_view("records.manage_cadre_roles")
def cadre_role_list(request: HttpRequest) -> HttpResponse:
    return _list(request, "cadre_roles")


@school_view("records.manage_cadre_roles")
def cadre_role_create(request: HttpRequest) -> HttpResponse:
    return _form(request, "cadre_roles", None)


@school_view("records.manage_cadre_roles")
def cadre_role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form(request, "cadre_roles", pk)


@require_POST
@school_view("records.manage_cadre_roles")
def cadre_role_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, "cadre_roles", pk)


@school_view("records.manage_cadre_roles")
def cadre_role_export(request: HttpRequest) -> HttpResponse:
    return _export(request, "cadre_roles")


@require_POST
@school_view("records.manage_cadre_roles")
def cadre_roles_verify(request: HttpRequest) -> HttpResponse:
    """Verify every cadre role the list shows with the filters posted (all pages)."""
    school = request.school  # type: ignore[attr-defined]
    filters = {k: v for k, v in request.POST.items() if k in ("term", "class", "q", "choice") and v}
    roles = selectors.staff_record_list(request.user, school, "cadre_roles", **_list_filters(filters))  # type: ignore[arg-type]
    try:
        expected = request.POST.get("expected", "")
        count = staff_services.cadre_roles_verify(
            actor=Actor.from_request(request),
            school=school,
            roles=roles,
            expected=int(expected) if expected.isdigit() else None,
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(count)s cadre role(s) verified.") % {"count": count})
    return redirect(f"{reverse('records:cadre_roles')}?{urlencode(filters)}")


# --- attendance and rewards/penalties (records.manage_discipline) ---


@school_view("records.manage_discipline")
def attendance_list(request: HttpRequest) -> HttpResponse:
    return _list(request, "attendance")


@school_view("records.manage_discipline")
def attendance_create(request: HttpRequest) -> HttpResponse:
    return _form(request, "attendance", None)


@school_view("records.manage_discipline")
def attendance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form(request, "attendance", pk)


@require_POST
@school_view("records.manage_discipline")
def attendance_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, "attendance", pk)


@school_view("records.manage_discipline")
def attendance_export(request: HttpRequest) -> HttpResponse:
    return _export(request, "attendance")


@school_view("records.manage_discipline")
def reward_penalty_list(request: HttpRequest) -> HttpResponse:
    return _list(request, "rewards_penalties")


@school_view("records.manage_discipline")
def reward_penalty_create(request: HttpRequest) -> HttpResponse:
    return _form(request, "rewards_penalties", None)


@school_view("records.manage_discipline")
def reward_penalty_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form(request, "rewards_penalties", pk)


@require_POST
@school_view("records.manage_discipline")
def reward_penalty_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, "rewards_penalties", pk)


@school_view("records.manage_discipline")
def reward_penalty_export(request: HttpRequest) -> HttpResponse:
    return _export(request, "rewards_penalties")


# --- career exploration (records.manage_career) ---


@school_view("records.manage_career")
def career_exploration_list(request: HttpRequest) -> HttpResponse:
    return _list(request, "career_exploration")


@school_view("records.manage_career")
def career_exploration_create(request: HttpRequest) -> HttpResponse:
    return _form(request, "career_exploration", None)


@school_view("records.manage_career")
def career_exploration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form(request, "career_exploration", pk)


@require_POST
@school_view("records.manage_career")
def career_exploration_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, "career_exploration", pk)


@school_view("records.manage_career")
def career_exploration_export(request: HttpRequest) -> HttpResponse:
    return _export(request, "career_exploration")


# --- one student's records (the student, their homeroom teacher and parents, the sections) ---


@school_view()
def student_records(request: HttpRequest, pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    student = get_object_or_404(
        selectors.record_students(request.user, school).select_related("school_class"),  # type: ignore[arg-type]
        pk=pk,
    )
    records = selectors.student_records(student)
    sections = [
        {
            "kind": kind,
            "label": KINDS[kind].label,
            "headers": [_("Term"), *_headers(kind)],
            "rows": [[obj.term_label, *cells(kind, obj)] for obj in records[kind]],
        }
        for kind in KINDS
    ]
    return render(request, "records/student_records.html", {"student": student, "sections": sections})


@school_view()
def my_records(request: HttpRequest) -> HttpResponse:
    student = Student.objects.filter(school=request.school, user=request.user).first()  # type: ignore[attr-defined, misc]
    if student is None:
        raise Http404
    return redirect("records:student_records", pk=student.pk)
