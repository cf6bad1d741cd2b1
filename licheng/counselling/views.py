"""Pages for counselling records (課程諮詢紀錄)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core import spreadsheets as sheets
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_role, school_view
from licheng.counselling import selectors, services
from licheng.counselling.forms import FilterForm, SessionForm
from licheng.counselling.models import CounsellingSession, SessionKind
from licheng.files.upload import UploadRefused, limit_upload, upload_route, upload_view
from licheng.people.models import Student
from licheng.people.roles import Role
from licheng.people.selectors import may
from licheng.schools import rocdate
from licheng.schools.models import SchoolClass

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXPORT_COLUMNS: tuple[sheets.Column, ...] = (
    sheets.Column("held_on", "日期", gettext_lazy("date")),
    sheets.Column("starts_at", "開始時間", gettext_lazy("starts at")),
    sheets.Column("ends_at", "結束時間", gettext_lazy("ends at")),
    sheets.Column("kind", "諮詢類型", gettext_lazy("kind of session")),
    sheets.Column("place", "地點", gettext_lazy("place")),
    sheets.Column("student_numbers", "學號", gettext_lazy("Student number")),
    sheets.Column("names", "姓名", gettext_lazy("participants")),
    sheets.Column("content", "諮詢內容", gettext_lazy("content")),
    sheets.Column("advice", "建議", gettext_lazy("advice")),
    sheets.Column("counsellor", "諮詢教師", gettext_lazy("counsellor")),
)


def _file_limit(request: HttpRequest) -> int:
    from licheng.schools.selectors import current_term, rules_for

    school = getattr(request, "school", None)
    if school is None:
        return services.MB
    term = current_term(school)
    return rules_for(school, term.academic_year if term else None).document_max_mb * services.MB


def _filters(request: HttpRequest) -> tuple[FilterForm, dict[str, Any]]:
    form = FilterForm(request.GET)
    values: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        values = {
            "class_id": data.get("school_class"),
            "student_number": (data.get("student") or "").strip(),
            "kind": data.get("kind") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
    return form, values


def _may_export(request: HttpRequest) -> bool:
    user, school = request.user, request.school  # type: ignore[attr-defined]
    return bool(
        may(user, school, "counselling.view_all")  # type: ignore[arg-type]
        or may(user, school, "counselling.manage")  # type: ignore[arg-type]
        or has_role(user, school, Role.COURSE_COUNSELLOR)  # type: ignore[arg-type]
    )


@school_view()
def session_list(request: HttpRequest) -> HttpResponse:
    user, school = request.user, request.school  # type: ignore[attr-defined]
    if not selectors.may_list(user, school):  # type: ignore[arg-type]
        raise PermissionDenied
    form, filters = _filters(request)
    sessions = selectors.session_list(user, school, **filters)  # type: ignore[arg-type]
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "counselling/list.html",
        {
            "page": page,
            "sessions": page.object_list,
            "form": form,
            "filters": request.GET,
            "kinds": SessionKind.choices,
            "classes": SchoolClass.objects.filter(school=school).order_by("-academic_year__year", "grade", "name")[
                :200
            ],
            "query": urlencode(query),
            "can_record": selectors.may_record(user, school),  # type: ignore[arg-type]
            "can_export": _may_export(request),
        },
    )


@school_view()
def my_sessions(request: HttpRequest) -> HttpResponse:
    user, school = request.user, request.school  # type: ignore[attr-defined]
    student = Student.objects.filter(school=school, user=user).first()  # type: ignore[misc]
    if student is None:
        raise Http404
    sessions = selectors.with_details(
        selectors.sessions_visible_to(user, school).filter(participant_rows__student=student)  # type: ignore[arg-type]
    )
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "counselling/mine.html", {"page": page, "sessions": page.object_list, "student": student})


@school_view()
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, school = request.user, request.school  # type: ignore[attr-defined]
    session = selectors.session_for(user, school, pk)  # type: ignore[arg-type]
    return render(
        request,
        "counselling/detail.html",
        {
            "session": session,
            "participants": selectors.visible_participants(user, school, session),  # type: ignore[arg-type]
            "others_hidden": selectors.is_participant_only(user, school, session),  # type: ignore[arg-type]
            "can_change": services.may_change(user, school, session),  # type: ignore[arg-type]
        },
    )


def _form_page(request: HttpRequest, session: CounsellingSession | None) -> HttpResponse:
    user, school = request.user, request.school  # type: ignore[attr-defined]
    students = selectors.recordable_students(user, school)  # type: ignore[arg-type]
    if session is not None:
        # Keep the session's participants choosable even if a student has changed class since.
        students = students | Student.objects.filter(pk__in=session.participant_rows.values("student_id"))
        students = students.distinct()
    status = 200
    if request.method == "POST":
        refused: UploadRefused | None = None
        try:
            limit_upload(request, _file_limit(request), files_allowed=services.MAX_ATTACHMENTS)
        except UploadRefused as error:
            refused = error
        form = SessionForm(request.POST, students=students)
        if refused is not None:
            form.is_valid()
            form.add_error(None, refused.message)
            status = refused.status_code
        elif form.is_valid():
            data = form.cleaned_data
            values = {
                "kind": data["kind"],
                "held_on": data["held_on"],
                "starts_at": data["starts_at"],
                "ends_at": data["ends_at"],
                "place": data["place"],
                "students": list(data["participants"]),
                "content": data["content"],
                "advice": data["advice"],
                "uploads": request.FILES.getlist("attachments"),
            }
            try:
                if session is None:
                    session = services.counselling_session_create(
                        actor=Actor.from_request(request),
                        school=school,
                        counsellor=user,  # type: ignore[arg-type]
                        **values,
                    )
                else:
                    remove = [int(v) for v in request.POST.getlist("remove_attachment") if v.isdigit()]
                    session = services.counselling_session_update(
                        actor=Actor.from_request(request), session=session, remove_attachments=remove, **values
                    )
            except ServiceError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Counselling record saved."))
                return redirect("counselling:detail", pk=session.pk)
        status = status if status != 200 else 400
    else:
        initial: dict[str, Any] = {}
        if session is not None:
            initial = {
                "kind": session.kind,
                "held_on": session.held_on,
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "place": session.place,
                "participants": [row.student_id for row in session.participant_rows.all()],
                "content": session.content,
                "advice": session.advice,
            }
        else:
            initial = {"kind": SessionKind.INDIVIDUAL}
        form = SessionForm(initial=initial, students=students)
    return render(
        request,
        "counselling/form.html",
        {"form": form, "session": session, "max_attachments": services.MAX_ATTACHMENTS},
        status=status,
    )


def _recorder(request: HttpRequest) -> None:
    if not selectors.may_record(request.user, request.school):  # type: ignore[arg-type, attr-defined]
        raise PermissionDenied


@upload_route("counselling:create", _file_limit, files_allowed=services.MAX_ATTACHMENTS)
@upload_view(_file_limit, files_allowed=services.MAX_ATTACHMENTS)
@school_view()
def session_create(request: HttpRequest) -> HttpResponse:
    _recorder(request)
    return _form_page(request, None)


def _changeable(request: HttpRequest, pk: int) -> CounsellingSession:
    session = selectors.session_for(request.user, request.school, pk)  # type: ignore[arg-type, attr-defined]
    if not services.may_change(request.user, request.school, session):  # type: ignore[arg-type, attr-defined]
        raise PermissionDenied
    return session


@upload_route("counselling:edit", _file_limit, files_allowed=services.MAX_ATTACHMENTS)
@upload_view(_file_limit, files_allowed=services.MAX_ATTACHMENTS)
@school_view()
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, _changeable(request, pk))


@require_POST
@school_view()
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    session = _changeable(request, pk)
    try:
        services.counselling_session_delete(actor=Actor.from_request(request), session=session)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("counselling:detail", pk=pk)
    messages.success(request, _("Counselling record deleted."))
    return redirect("counselling:list")


@school_view()
def attachment(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    from licheng.files.views import file_response

    session = selectors.session_for(request.user, request.school, pk)  # type: ignore[arg-type, attr-defined]
    stored = get_object_or_404(session.attachments.all(), pk=file_id)
    return file_response(request, stored, inline=request.GET.get("download") != "1")


def export_rows(sessions: Any) -> list[list[Any]]:
    rows = []
    for session in sessions:
        students = [row.student for row in session.participant_rows.all()]
        rows.append(
            [
                rocdate.format_roc(session.held_on),
                session.starts_at.strftime("%H:%M") if session.starts_at else "",
                session.ends_at.strftime("%H:%M") if session.ends_at else "",
                str(session.get_kind_display()),
                session.place,
                "、".join(s.student_number for s in students),
                "、".join(s.name for s in students),
                session.content,
                session.advice,
                session.counsellor.name,
            ]
        )
    return rows


@school_view()
def session_export(request: HttpRequest) -> HttpResponse:
    if not _may_export(request):
        raise PermissionDenied
    _form, filters = _filters(request)
    sessions = selectors.session_list(request.user, request.school, **filters)[:EXPORT_LIMIT]  # type: ignore[arg-type, attr-defined]
    content = sheets.export_xlsx(_("Counselling records"), EXPORT_COLUMNS, export_rows(sessions))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="counselling.xlsx"'
    return response


# --- spreadsheet import ----------------------------------------------------------------------------


@school_view()
def import_template(request: HttpRequest) -> HttpResponse:
    from licheng.counselling import importers

    _recorder(request)
    content = sheets.export_xlsx(_("Counselling records"), importers.COLUMNS, [])
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="counselling-template.xlsx"'
    return response


@upload_route("counselling:import_start", lambda request: sheets.MAX_UPLOAD_BYTES)
@school_view()
def import_start(request: HttpRequest) -> HttpResponse:
    from licheng.counselling import importers

    _recorder(request)
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a file.")
        else:
            try:
                batch = services.counselling_import_check(
                    actor=Actor.from_request(request),
                    school=request.school,  # type: ignore[attr-defined]
                    file_name=upload.name or "",
                    content=upload.read(sheets.MAX_UPLOAD_BYTES + 1),
                )
            except ServiceError as refusal:
                error = refusal.message
            else:
                return redirect("counselling:import_detail", pk=batch.pk)
    return render(
        request,
        "counselling/import_start.html",
        {"error": error, "columns": importers.COLUMNS},
        status=400 if error else 200,
    )


def _batch(request: HttpRequest, pk: int) -> Any:
    from licheng.counselling.models import CounsellingImport

    return get_object_or_404(
        CounsellingImport.objects.filter(school=request.school, created_by=request.user),  # type: ignore[attr-defined, misc]
        pk=pk,
    )


@school_view()
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from licheng.counselling import importers

    batch = _batch(request, pk)
    shown = [c for c in importers.COLUMNS if c.key in batch.headers]
    by_line: dict[int, dict[str, list[str]]] = {}
    for error in batch.errors:
        by_line.setdefault(error["line"], {}).setdefault(error["column"], []).append(error["message"])
    labels = {c.key: c.header for c in importers.COLUMNS}
    rows = [
        {
            "line": line,
            "has_errors": line in by_line,
            "cells": [
                {"value": cells[i], "errors": by_line.get(line, {}).get(c.key, [])}
                for i, c in enumerate(importers.COLUMNS)
                if c.key in batch.headers
            ],
        }
        for line, cells in batch.rows[:500]
    ]
    return render(
        request,
        "counselling/import_detail.html",
        {
            "batch": batch,
            "columns": shown,
            "rows": rows,
            "errors": [{**e, "header": labels.get(e["column"], e["column"])} for e in batch.errors[:1000]],
            "can_apply": batch.applied_at is None and not batch.errors,
        },
    )


@require_POST
@school_view()
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        summary = services.counselling_import_apply(actor=Actor.from_request(request), batch=batch)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Imported: %(created)s added, %(updated)s updated.") % summary)
    return redirect("counselling:import_detail", pk=pk)
