"""Pages for office-entered learning records: a filterable list per kind, the entry form, XLSX
export. Imports go through the shared import pages with the kind's key."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core import spreadsheets as sheets
from licheng.core.errors import ServiceError
from licheng.core.permissions import school_view
from licheng.people.models import Student
from licheng.performances.kinds import display_fields
from licheng.records import office_services, selectors
from licheng.records.office_forms import initial_for, office_form, raw_fields
from licheng.records.office_records import OFFICE_KINDS, PERMISSION, OfficeKind
from licheng.records.views import EXPORT_LIMIT, PAGE_SIZE, _xlsx
from licheng.schools.models import SchoolClass


def _kind(key: str) -> OfficeKind:
    spec = OFFICE_KINDS.get(key)
    if spec is None:
        raise Http404
    return spec


def _filters(request: HttpRequest) -> dict[str, Any]:
    year, class_id = request.GET.get("year", ""), request.GET.get("class", "")
    return {
        "academic_year": int(year) if year.isdigit() else None,
        "class_id": int(class_id) if class_id.isdigit() else None,
        "search": request.GET.get("q", "").strip()[:60],
    }


def _codes(request: HttpRequest) -> dict[str, dict[str, str]]:
    from licheng.performances.selectors import codes_for

    return codes_for(request.school)  # type: ignore[attr-defined]


@school_view(PERMISSION)
def office_record_list(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    spec = _kind(request.GET.get("kind") or next(iter(OFFICE_KINDS)))
    rows = selectors.office_record_list(request.user, school, spec.key, **_filters(request))  # type: ignore[arg-type]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    codes = _codes(request)
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    query["kind"] = spec.key
    return render(
        request,
        "records/office_record_list.html",
        {
            "spec": spec,
            "kinds": OFFICE_KINDS.values(),
            "page": page,
            "rows": [
                {"obj": obj, "fields": display_fields(obj.performance.kind, obj.performance.fields, codes)}
                for obj in page.object_list
            ],
            "classes": SchoolClass.objects.filter(school=school).order_by("-academic_year__year", "grade", "name")[
                :200
            ],
            "filters": request.GET,
            "class_id": _filters(request)["class_id"],
            "query": urlencode(query),
        },
    )


@school_view(PERMISSION)
def office_record_export(request: HttpRequest) -> HttpResponse:
    from licheng.records.office_records import export_row

    spec = _kind(request.GET.get("kind") or next(iter(OFFICE_KINDS)))
    rows = selectors.office_record_list(request.user, request.school, spec.key, **_filters(request))  # type: ignore[arg-type, attr-defined]
    content = sheets.export_xlsx(str(spec.label), spec.columns, (export_row(spec, r) for r in rows[:EXPORT_LIMIT]))
    return _xlsx(content, f"licheng-{spec.key.replace('_', '-')}.xlsx")


def _form(request: HttpRequest, spec: OfficeKind, entry: Any) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    form = office_form(spec, _codes(request), request.POST or None, initial=initial_for(spec, entry) if entry else None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["student_number"]
        student = Student.objects.filter(school=school, student_number=number).first()
        try:
            fields = raw_fields(spec, form.cleaned_data)
        except ValidationError as error:
            form.add_error("term", error)
        else:
            if student is None:
                form.add_error(
                    "student_number", _("No student with number %(value)s in this school.") % {"value": number}
                )
            else:
                try:
                    office_services.office_record_save(
                        actor=Actor.from_request(request),
                        school=school,
                        kind=spec.key,
                        student=student,
                        fields=fields,
                        description=form.cleaned_data["description"],
                        entry=entry,
                    )
                except ServiceError as error:
                    field = "term" if error.field == "year" else error.field
                    form.add_error(field if field in form.fields else None, error.message)
                else:
                    messages.success(request, _("The record has been saved."))
                    return redirect(f"{reverse('records:office_records')}?kind={spec.key}")
    return render(request, "records/office_record_form.html", {"form": form, "entry": entry, "spec": spec})


@school_view(PERMISSION)
def office_record_create(request: HttpRequest, kind: str) -> HttpResponse:
    return _form(request, _kind(kind), None)


@school_view(PERMISSION)
def office_record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.office_record(request.user, request.school, pk)  # type: ignore[arg-type, attr-defined]
    return _form(request, _kind(entry.kind), entry)


@require_POST
@school_view(PERMISSION)
def office_record_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.office_record(request.user, request.school, pk)  # type: ignore[arg-type, attr-defined]
    kind = entry.kind
    try:
        office_services.office_record_delete(
            actor=Actor.from_request(request),
            school=request.school,  # type: ignore[attr-defined]
            entry=entry,
            reason=request.POST.get("reason", ""),
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("records:office_record_edit", pk=pk)
    messages.success(request, _("The record has been deleted and the student has been told why."))
    return redirect(f"{reverse('records:office_records')}?kind={kind}")
