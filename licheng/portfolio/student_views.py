"""One student's whole portfolio on one page (guidance, course counsellors, homeroom teachers), and
the personal export pages: request, progress (htmx polling), downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.core.permissions import school_view
from licheng.files.views import content_disposition
from licheng.people.models import Student, User
from licheng.people.selectors import may
from licheng.performances.selectors import students_visible_to as performance_students
from licheng.portfolio import export
from licheng.portfolio.contents import student_portfolio as read_portfolio
from licheng.portfolio.models import EXPORT_KEEP_DAYS, ExportStatus, PortfolioExport

# Exports listed on the page (newest first).
EXPORTS_SHOWN = 5


def _me(request: HttpRequest) -> tuple[Any, User]:
    return request.school, request.user  # type: ignore[attr-defined,return-value]


def outcome_students(user: User, school: Any) -> Any:
    """Students whose course outcomes ``user`` sees as a whole (not just one course's): themself,
    their children, their homeroom or counselled classes, or all with ``portfolio.view_all``."""
    students = Student.objects.filter(school=school)
    if may(user, school, "portfolio.view_all"):
        return students
    if user.school_id != school.pk:
        return students.none()
    return students.filter(
        Q(user=user)
        | Q(parent_links__parent=user)
        | Q(school_class__homeroom_teacher=user)
        | Q(school_class__counsellor=user)
    )


def _may_review_writings(user: Any, school: Any, student: Student) -> bool:
    from licheng.performances import selectors as performance_selectors

    return performance_selectors.may_review_as_homeroom(user, student) or performance_selectors.may_review_as_guidance(
        user, school
    )


@school_view()
def student_portfolio(request: HttpRequest, pk: int) -> HttpResponse:
    """Read only: the student's course outcomes (every term, every version's state), performances
    and writings, each part shown when the user may see it; 404 when they may see neither."""
    school, user = _me(request)
    # the student with class and school
    student: Student = get_object_or_404(
        Student.objects.select_related("school_class", "school", "school_class__homeroom_teacher"),
        pk=pk,
        school=school,
    )
    sees_outcomes = outcome_students(user, school).filter(pk=student.pk).exists()
    sees_performances = performance_students(user, school).filter(pk=student.pk).exists()
    if not (sees_outcomes or sees_performances):
        raise Http404
    portfolio = read_portfolio(student, outcomes=sees_outcomes, performances=sees_performances)
    return render(
        request,
        "portfolio/student_portfolio.html",
        {
            "student": student,
            "p": portfolio,
            "sees_outcomes": sees_outcomes,
            "sees_performances": sees_performances,
            "may_export": export.exportable_students(user, school).filter(pk=student.pk).exists(),
            # the review link only for those who review (the homeroom teacher, the guidance
            # office); a parent reads
            "may_review": _may_review_writings(user, school, student),
        },
    )


# --- exports --------------------------------------------------------------------------------------


def _export_page(request: HttpRequest, student: Student) -> HttpResponse:
    school, user = _me(request)
    if request.method == "POST":
        try:
            export.portfolio_export_request(actor=Actor.from_request(request), student=student)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your export is being prepared. This page shows its progress."))
        if student.user_id == user.pk:
            return redirect("portfolio:exports")
        return redirect("portfolio:student_exports", pk=student.pk)
    rows = list(
        PortfolioExport.objects.filter(school=school, student=student).order_by("-created_at", "-pk")[:EXPORTS_SHOWN]
    )
    return render(
        request,
        "portfolio/exports.html",
        {"student": student, "exports": rows, "keep_days": EXPORT_KEEP_DAYS, "own": student.user_id == user.pk},
    )


@school_view()
def exports(request: HttpRequest) -> HttpResponse:
    """The student's own exports: request one, watch it being built, download it."""
    school, user = _me(request)
    student = Student.objects.filter(school=school, user=user).select_related("school").first()
    if student is None:
        raise Http404
    return _export_page(request, student)


@school_view()
def student_exports(request: HttpRequest, pk: int) -> HttpResponse:
    """A student's exports, for their parents and staff with ``portfolio.view_all``."""
    school, user = _me(request)
    student = get_object_or_404(export.exportable_students(user, school).select_related("school"), pk=pk)
    return _export_page(request, student)


def _visible_export(request: HttpRequest, pk: int) -> PortfolioExport:
    school, user = _me(request)
    return get_object_or_404(export.exports_visible_to(user, school).select_related("student"), pk=pk)


@school_view()
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One export's row; htmx polls it while the export is queued or running."""
    row = _visible_export(request, pk)
    return render(request, "portfolio/_export_row.html", {"export": row, "keep_days": EXPORT_KEEP_DAYS})


def download_response(row: PortfolioExport, name: str, suffix: str, content_type: str) -> HttpResponse:
    if row.status != ExportStatus.DONE or not name or row.is_expired:
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition("attachment", export.download_name(row, suffix))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response  # type: ignore[return-value]  # a streaming response, as files.views does


@school_view()
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    row = _visible_export(request, pk)
    response = download_response(row, row.file, ".zip", "application/zip")
    response["X-Content-SHA256"] = row.sha256
    return response


@school_view()
def export_summary(request: HttpRequest, pk: int) -> HttpResponse:
    row = _visible_export(request, pk)
    return download_response(row, row.summary_file, ".pdf", "application/pdf")
