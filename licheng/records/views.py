"""Pages for grades (修課紀錄), transcripts, spreadsheet imports and course codes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core import spreadsheets as sheets
from licheng.core.errors import ServiceError
from licheng.core.permissions import school_view
from licheng.files.upload import upload_route
from licheng.people.models import Student
from licheng.people.selectors import may
from licheng.records import course_code_txt, importers, selectors, services
from licheng.records.forms import CourseCodeUploadForm, GradeForm, UploadForm
from licheng.records.models import Grade, ImportBatch
from licheng.schools import rocdate
from licheng.schools.models import SchoolClass

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _filters(request: HttpRequest) -> dict[str, Any]:
    term_text = request.GET.get("term", "").strip()
    year = number = None
    if term_text:
        try:
            year, number = rocdate.parse_term(term_text)
        except rocdate.RocDateError:
            year = number = None
    class_id = request.GET.get("class", "")
    return {
        "academic_year": year,
        "term": number,
        "class_id": int(class_id) if class_id.isdigit() else None,
        "course_code": request.GET.get("code", "").strip()[:23],
        "search": request.GET.get("q", "").strip()[:60],
    }


@school_view("records.view_grades")
def grade_list(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    filters = _filters(request)
    grades = selectors.grade_list(request.user, school, **filters)  # type: ignore[arg-type]
    page = Paginator(grades, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "records/grade_list.html",
        {
            "page": page,
            "grades": page.object_list,
            "classes": SchoolClass.objects.filter(school=school).order_by("-academic_year__year", "grade", "name")[
                :200
            ],
            "filters": request.GET,
            "class_id": filters["class_id"],
            "query": urlencode(query),
            "can_manage": may(request.user, school, "records.manage_grades"),  # type: ignore[arg-type]
            "can_import_profiles": may(request.user, school, "people.manage_students"),  # type: ignore[arg-type]
        },
    )


@school_view("records.view_grades")
def grade_export(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    grades = selectors.grade_list(request.user, school, **_filters(request))[:EXPORT_LIMIT]  # type: ignore[arg-type]
    rows = (importers.grade_export_row(g, g.student.student_number) for g in grades)
    return _xlsx(sheets.export_xlsx(_("Grades"), importers.GRADE_COLUMNS, rows), "licheng-grades.xlsx")


def _grade_form(request: HttpRequest, grade: Grade | None) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    initial = GradeForm.initial_for(grade) if grade else None
    form = GradeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        student = Student.objects.filter(school=school, student_number=form.cleaned_data["student_number"]).first()
        if student is None:
            form.add_error(
                "student_number",
                _("No student with number %(value)s in this school.") % {"value": form.cleaned_data["student_number"]},
            )
        else:
            try:
                saved = services.grade_save(
                    actor=Actor.from_request(request),
                    school=school,
                    student=student,
                    values=form.grade_values(),
                    grade=grade,
                )
            except ServiceError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("The grade has been saved."))
                return redirect("records:transcript", pk=saved.student_id)
    return render(request, "records/grade_form.html", {"form": form, "grade": grade})


@school_view("records.manage_grades")
def grade_create(request: HttpRequest) -> HttpResponse:
    return _grade_form(request, None)


@school_view("records.manage_grades")
def grade_edit(request: HttpRequest, pk: int) -> HttpResponse:
    grade: Grade = get_object_or_404(
        Grade.objects.filter(school=request.school).select_related("student"),  # type: ignore[attr-defined]
        pk=pk,
    )
    return _grade_form(request, grade)


@require_POST
@school_view("records.manage_grades")
def grade_delete(request: HttpRequest, pk: int) -> HttpResponse:
    grade: Grade = get_object_or_404(
        Grade.objects.filter(school=request.school).select_related("student"),  # type: ignore[attr-defined]
        pk=pk,
    )
    try:
        services.grade_delete(
            actor=Actor.from_request(request),
            school=request.school,  # type: ignore[attr-defined]
            grade=grade,
            reason=request.POST.get("reason", ""),
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("records:grade_edit", pk=pk)
    messages.success(
        request,
        _("The grade of %(code)s for %(name)s was deleted.") % {"code": grade.course_code, "name": grade.student.name},
    )
    return redirect("records:transcript", pk=grade.student_id)


@school_view()
def transcript(request: HttpRequest, pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    student = selectors.transcript_student(request.user, school, pk)  # type: ignore[arg-type]
    return render(
        request,
        "records/transcript.html",
        {
            "student": student,
            "transcript": selectors.transcript(student),
            "can_manage": may(request.user, school, "records.manage_grades"),  # type: ignore[arg-type]
        },
    )


@school_view()
def my_transcript(request: HttpRequest) -> HttpResponse:
    student = Student.objects.filter(school=request.school, user=request.user).first()  # type: ignore[attr-defined, misc]
    if student is None:
        raise Http404
    return redirect("records:transcript", pk=student.pk)


# ---------------------------------------------------------------------------------------------
# Imports (any record type in ``importers.RECORD_TYPES``)
# ---------------------------------------------------------------------------------------------


def _record_type(request: HttpRequest, kind: str) -> importers.RecordType:
    record_type = importers.RECORD_TYPES.get(kind)
    if record_type is None:
        raise Http404
    if not may(request.user, request.school, record_type.permission):  # type: ignore[arg-type, attr-defined]
        raise PermissionDenied
    return record_type


@upload_route("records:import_start", lambda request: sheets.MAX_UPLOAD_BYTES)
@school_view()
def import_start(request: HttpRequest, kind: str) -> HttpResponse:
    record_type = _record_type(request, kind)
    school = request.school  # type: ignore[attr-defined]
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.import_check(
                actor=Actor.from_request(request),
                school=school,
                record_type=kind,
                file_name=upload.name or "",
                content=upload.read(sheets.MAX_UPLOAD_BYTES + 1),
            )
        except ServiceError as error:
            form.add_error("file", error.message)
        else:
            return redirect("records:import_detail", kind=kind, pk=batch.pk)
    batches = selectors.import_batches(request.user, school, kind)[:20]  # type: ignore[arg-type]
    return render(request, "records/import_start.html", {"form": form, "record_type": record_type, "batches": batches})


@school_view()
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    record_type = _record_type(request, kind)
    # The header row to fill in; an example row and a note per column (112-1, 1/0, the variant
    # values) on a second sheet, so the example is never imported by mistake.
    return _xlsx(
        sheets.template_xlsx(str(record_type.label), record_type.columns, example=record_type.example),
        f"licheng-{kind}-template.xlsx",
    )


@school_view()
def import_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record_type = _record_type(request, kind)
    batch = selectors.import_batch(request.user, request.school, kind, pk)  # type: ignore[arg-type, attr-defined]
    labels = {c.key: c.header for c in record_type.columns}
    shown = [c for c in record_type.columns if c.key in batch.headers]
    by_line: dict[int, dict[str, list[str]]] = {}
    for error in batch.errors:
        by_line.setdefault(error["line"], {}).setdefault(error["column"], []).append(error["message"])
    bad_lines = set(by_line)
    # Rows with problems first, then up to 200 good rows for a look.
    preview = [entry for entry in batch.rows if entry[0] in bad_lines][:500]
    preview += [entry for entry in batch.rows if entry[0] not in bad_lines][:200]
    preview.sort(key=lambda entry: entry[0])
    rows = [
        {
            "line": entry[0],
            "has_errors": entry[0] in bad_lines,
            "cells": [
                {"value": value, "errors": by_line.get(entry[0], {}).get(column.key, [])}
                for column, value in zip(shown, entry[1], strict=True)
            ],
        }
        for entry in preview
    ]
    errors = [{**e, "header": labels.get(e["column"], e["column"])} for e in batch.errors[:1000]]
    # Columns empty in every row shown (the variant columns of a file of ordinary grades) take no room.
    keep = [
        index
        for index in range(len(shown))
        if any(row["cells"][index]["value"] not in ("", None) or row["cells"][index]["errors"] for row in rows)
    ]
    hidden = [shown[index].header for index in range(len(shown)) if index not in keep]
    for row in rows:
        row["cells"] = [row["cells"][index] for index in keep]
    return render(
        request,
        "records/import_detail.html",
        {
            "batch": batch,
            "record_type": record_type,
            "columns": [shown[index] for index in keep],
            "hidden_columns": hidden,
            "rows": rows,
            "errors": errors,
            "bad_rows": len(bad_lines),
            "can_apply": batch.status == ImportBatch.Status.CHECKED and not batch.errors,
        },
    )


@require_POST
@school_view()
def import_apply(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _record_type(request, kind)
    batch = selectors.import_batch(request.user, request.school, kind, pk)  # type: ignore[arg-type, attr-defined]
    try:
        summary = services.import_apply(actor=Actor.from_request(request), batch=batch)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Imported: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.") % summary,
        )
    return redirect("records:import_detail", kind=kind, pk=pk)


# ---------------------------------------------------------------------------------------------
# Course codes
# ---------------------------------------------------------------------------------------------


@school_view("courses.view_all")
def course_code_list(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    entry_year = request.GET.get("year", "")
    codes = selectors.course_codes(
        school, entry_year=int(entry_year) if entry_year.isdigit() else None, search=request.GET.get("q", "")[:30]
    )
    page = Paginator(codes, PAGE_SIZE).get_page(request.GET.get("page"))
    return _course_code_page(request, page, CourseCodeUploadForm(), None)


def _course_code_page(request: HttpRequest, page: Any, form: Any, result: Any) -> HttpResponse:
    return render(
        request,
        "records/course_codes.html",
        {
            "page": page,
            "codes": page.object_list if page is not None else [],
            "form": form,
            "result": result,
            "filters": request.GET,
            "can_import": may(request.user, request.school, "records.manage_course_codes"),  # type: ignore[arg-type, attr-defined]
            "can_import_enrolments": may(request.user, request.school, "courses.manage"),  # type: ignore[arg-type, attr-defined]
        },
    )


@upload_route("records:course_code_import", lambda request: course_code_txt.MAX_BYTES)
@school_view("records.manage_course_codes")
def course_code_import(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("records:course_codes")
    form = CourseCodeUploadForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.course_codes_import(
                actor=Actor.from_request(request),
                school=request.school,  # type: ignore[attr-defined]
                file_name=upload.name or "",
                content=upload.read(sheets.MAX_UPLOAD_BYTES + 1),
            )
        except ServiceError as error:
            form.add_error("file", error.message)
        else:
            if result.ok:
                messages.success(
                    request,
                    _("Course codes imported: %(created)s added, %(updated)s updated.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("records:course_codes")
    codes = selectors.course_codes(request.school)  # type: ignore[attr-defined]
    page = Paginator(codes, PAGE_SIZE).get_page(1)
    return _course_code_page(request, page, form, result)


COURSE_CODE_EXPORT_HEADER = ["課程代碼", "每學期學分數", "入學年度", "科目名稱", "彈性學習或團體活動"]


@school_view("courses.view_all")
def course_code_export(request: HttpRequest) -> HttpResponse:
    """The course codes as XLSX (the filters of the list apply)."""
    entry_year = request.GET.get("year", "")
    codes = selectors.course_codes(
        request.school,  # type: ignore[attr-defined]
        entry_year=int(entry_year) if entry_year.isdigit() else None,
        search=request.GET.get("q", "")[:30],
    )
    rows = (
        [c.code, c.credits_per_term, c.entry_year, c.subject_name, "1" if c.is_flexible_or_group else "0"]
        for c in codes[:EXPORT_LIMIT]
    )
    return _xlsx(sheets.workbook_bytes(_("Course codes"), COURSE_CODE_EXPORT_HEADER, rows), "licheng-course-codes.xlsx")
