"""Pages for elective course names: list (anyone who sees the course codes), entry and change
(academic affairs), XLSX export; imports through the shared import pages (``elective_names``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from licheng.audit.services import Actor
from licheng.core import spreadsheets as sheets
from licheng.core.errors import ServiceError
from licheng.core.permissions import school_view
from licheng.people.selectors import may
from licheng.records import electives
from licheng.records.elective_models import ElectiveCourseName
from licheng.records.views import EXPORT_LIMIT, PAGE_SIZE, _xlsx
from licheng.schools import rocdate


def _rows(request: HttpRequest) -> Any:
    rows = ElectiveCourseName.objects.filter(school=request.school)  # type: ignore[attr-defined]
    term_text = request.GET.get("term", "").strip()
    if term_text:
        try:
            year, number = rocdate.parse_term(term_text)
        except rocdate.RocDateError:
            year = number = 0
        rows = rows.filter(academic_year=year, term=number)
    search = request.GET.get("q", "").strip()[:60]
    if search:
        rows = rows.filter(Q(course_code__startswith=search.upper()) | Q(name__icontains=search))
    return rows.order_by("-academic_year", "-term", "course_code")


@school_view("courses.view_all")
def elective_name_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(_rows(request), PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "records/elective_names.html",
        {
            "page": page,
            "rows": page.object_list,
            "filters": request.GET,
            "query": urlencode(query),
            "can_manage": may(request.user, request.school, electives.PERMISSION),  # type: ignore[arg-type, attr-defined]
        },
    )


@school_view("courses.view_all")
def elective_name_export(request: HttpRequest) -> HttpResponse:
    content = sheets.export_xlsx(
        _("Elective course names"),
        electives.columns(),
        (electives.export_row(e) for e in _rows(request)[:EXPORT_LIMIT]),
    )
    return _xlsx(content, "licheng-elective-names.xlsx")


def _form(request: HttpRequest, entry: ElectiveCourseName | None) -> HttpResponse:
    form = electives.ElectiveNameForm(
        request.POST or None, initial=electives.ElectiveNameForm.initial_for(entry) if entry else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            electives.elective_name_save(
                actor=Actor.from_request(request),
                school=request.school,  # type: ignore[attr-defined]
                values=form.values(),
                entry=entry,
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The record has been saved."))
            return redirect("records:elective_names")
    return render(request, "records/elective_name_form.html", {"form": form, "entry": entry})


@school_view(electives.PERMISSION)
def elective_name_create(request: HttpRequest) -> HttpResponse:
    return _form(request, None)


@school_view(electives.PERMISSION)
def elective_name_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    entry: ElectiveCourseName = get_object_or_404(ElectiveCourseName.objects.filter(school=school), pk=pk)
    return _form(request, entry)
