"""Pages for status changes, transfer packages, legal holds and retention. Thin: parse, call, render."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission, school_view
from licheng.files.upload import upload_route
from licheng.files.views import content_disposition, file_response
from licheng.lifecycle import package, selectors, services
from licheng.lifecycle.forms import (
    CorrectionForm,
    GradeGraduationForm,
    HoldReleaseForm,
    LegalHoldForm,
    StatusChangeForm,
    TransferInForm,
)
from licheng.lifecycle.models import ChangeKind, LegalHold, PackageState, RetentionCount, RetentionRun, TransferPackage
from licheng.people.models import EnrolmentStatus, Student
from licheng.people.selectors import students_visible_to
from licheng.schools import rocdate

S = EnrolmentStatus
LIST_LIMIT = 50
# The changes offered for each status (the services refuse the others too).
OFFERED: dict[str, tuple[str, ...]] = {
    S.ENROLLED: (
        ChangeKind.SUSPEND,
        ChangeKind.REPEAT,
        ChangeKind.VISITING,
        ChangeKind.TRANSFER_OUT,
        ChangeKind.LEAVE,
        ChangeKind.GRADUATE,
    ),
    S.SUSPENDED: (ChangeKind.RESUME, ChangeKind.REPEAT, ChangeKind.TRANSFER_OUT, ChangeKind.LEAVE),
    S.VISITING: (ChangeKind.VISITING_END, ChangeKind.TRANSFER_OUT, ChangeKind.LEAVE, ChangeKind.GRADUATE),
}


def _student(request: HttpRequest, pk: int) -> Student:
    students = students_visible_to(request.user, request.school)  # type: ignore[arg-type,attr-defined]
    return get_object_or_404(students.select_related("school_class", "division"), pk=pk)


def _shown(value: Any) -> str:
    return rocdate.format_roc(value) if isinstance(value, datetime.date) else str(value)


def _apply_error(form: Any, error: ServiceError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@school_view("lifecycle.manage_status")
def index(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    # two queries: the latest changes with their students and recorders, the latest packages
    query = request.GET.get("q", "").strip()[:60]
    found: list[Student] = []
    if query:
        # one query: the matching students with their class
        found = list(
            students_visible_to(request.user, school)  # type: ignore[arg-type]
            .filter(Q(name__icontains=query) | Q(student_number__icontains=query))
            .select_related("school_class")[:LIST_LIMIT]
        )
    changes = list(selectors.recent_changes(school)[:LIST_LIMIT])
    packages = list(selectors.packages_of_school(school)[:LIST_LIMIT])
    return render(
        request, "lifecycle/index.html", {"changes": changes, "packages": packages, "query": query, "found": found}
    )


SEALING = (ChangeKind.TRANSFER_OUT, ChangeKind.LEAVE, ChangeKind.GRADUATE)


def _student_page(
    request: HttpRequest,
    student: Student,
    *,
    failed: StatusChangeForm | None = None,
    problem: str = "",
    correction: CorrectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The student's page; a change form that failed comes back open, with what was typed and why."""
    kinds = OFFERED.get(student.status, ()) if student.sealed_at is None else ()
    forms = [
        (
            kind,
            ChangeKind(kind).label,
            failed if failed is not None and failed.kind == kind else StatusChangeForm(kind=kind, prefix=kind),
        )
        for kind in kinds
    ]
    return render(
        request,
        "lifecycle/student.html",
        {
            "student": student,
            "history": list(selectors.status_history(student)),
            "packages": list(selectors.packages_of(student)),
            "transfers": list(selectors.transfers_in_of(student)),
            "forms": forms,
            "failed_kind": failed.kind if failed is not None else "",
            "failed_label": ChangeKind(failed.kind).label if failed is not None else "",
            "problem": problem,
            "sealing": SEALING,
            "latest": selectors.latest_change(student),
            "correction": correction or CorrectionForm(),
            "tags": selectors.submission_tags(student),
            "may_upload": selectors.may_upload(student),
        },
        status=status,
    )


@school_view("lifecycle.manage_status")
def student(request: HttpRequest, pk: int) -> HttpResponse:
    return _student_page(request, _student(request, pk))


def _run_change(actor: Actor, student: Student, kind: str, data: dict[str, Any]) -> None:
    note = data.get("note") or ""
    if kind == ChangeKind.TRANSFER_OUT:
        services.student_transfer_out(
            actor=actor,
            student=student,
            note=note,
            effective_on=data["effective_on"],
            new_school_code=data.get("other_school_code") or "",
            new_school_name=data.get("other_school_name") or "",
        )
    elif kind == ChangeKind.REPEAT:
        services.student_repeat_year(
            actor=actor,
            student=student,
            note=note,
            effective_on=data["effective_on"],
            repeated_year=data["repeated_year"],
        )
    elif kind == ChangeKind.VISITING:
        services.student_visiting_start(
            actor=actor,
            student=student,
            note=note,
            host_school_code=data.get("other_school_code") or "",
            host_school_name=data.get("other_school_name") or "",
            group_code=data.get("visiting_group_code") or "",
            programme_code=data.get("visiting_programme_code") or "",
            visiting_code=data.get("visiting_code") or "",
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )
    else:
        service = {
            ChangeKind.SUSPEND: services.student_suspend,
            ChangeKind.RESUME: services.student_resume,
            ChangeKind.VISITING_END: services.student_visiting_end,
            ChangeKind.LEAVE: services.student_leave,
            ChangeKind.GRADUATE: services.student_graduate,
        }[ChangeKind(kind)]
        service(actor=actor, student=student, note=note, effective_on=data["effective_on"])


@require_POST
@school_view("lifecycle.manage_status")
def change(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Record a change. One that seals (graduation, leaving, transfer out) first shows what it will
    seal and asks; only the confirmed second post records it."""
    student = _student(request, pk)
    if kind not in StatusChangeForm.FIELDS:
        raise Http404
    form = StatusChangeForm(request.POST, kind=kind, prefix=kind)
    if not form.is_valid():
        return _student_page(request, student, failed=form, status=400)
    if kind in SEALING and request.POST.get("confirmed") != "1":
        return render(
            request,
            "lifecycle/confirm_change.html",
            {
                "student": student,
                "kind": kind,
                "label": ChangeKind(kind).label,
                "form": form,
                "details": [
                    (form.fields[name].label, _shown(value))
                    for name, value in form.cleaned_data.items()
                    if value not in (None, "")
                ],
                "summary": selectors.seal_summary(student),
            },
        )
    try:
        _run_change(Actor.from_request(request), student, kind, form.cleaned_data)
    except ServiceError as error:
        _apply_error(form, error)
        return _student_page(request, student, failed=form, problem=error.message, status=400)
    messages.success(request, _("Status change recorded: %(kind)s.") % {"kind": ChangeKind(kind).label})
    return redirect("lifecycle:student", pk=student.pk)


@require_POST
@school_view("lifecycle.manage_status")
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo the latest status change, recorded by mistake (with the reason, in the audit trail)."""
    student = _student(request, pk)
    form = CorrectionForm(request.POST)
    form.is_valid()
    try:
        undone = services.status_change_correct(
            actor=Actor.from_request(request), student=student, reason=form.cleaned_data.get("reason") or ""
        )
    except ServiceError as error:
        _apply_error(form, error)
        return _student_page(request, student, correction=form, status=400)
    messages.success(
        request,
        _("The change “%(kind)s” was undone; the status is “%(status)s” again.")
        % {"kind": undone.get_kind_display(), "status": undone.student.get_status_display()},
    )
    return redirect("lifecycle:student", pk=student.pk)


@school_view("lifecycle.manage_status")
def graduate_grade(request: HttpRequest) -> HttpResponse:
    """Graduate a whole grade in one step: choose, see how many and who, confirm."""
    school = request.school  # type: ignore[attr-defined]
    form = GradeGraduationForm(request.POST or None)
    students: list[Student] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        students = list(selectors.graduating_students(school, data["grade"]))
        if request.POST.get("confirmed") == "1":
            try:
                count = services.grade_graduate(
                    actor=Actor.from_request(request),
                    school=school,
                    grade=data["grade"],
                    effective_on=data["effective_on"],
                    expected=data["expected"] or 0,
                    note=data["note"],
                )
            except ServiceError as error:
                _apply_error(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d student graduated; their portfolio is sealed.",
                        "%(count)d students graduated; their portfolios are sealed.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("lifecycle:index")
        elif not students:
            form.add_error("grade", _("No student of this grade can graduate now."))
    return render(
        request,
        "lifecycle/graduate_grade.html",
        {"form": form, "students": students, "confirming": bool(students) and not form.errors},
        status=400 if form.errors else 200,
    )


@require_POST
@school_view("lifecycle.manage_status")
def package_request(request: HttpRequest, pk: int) -> HttpResponse:
    student = _student(request, pk)
    try:
        services.transfer_package_request(actor=Actor.from_request(request), student=student)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The transfer package is being prepared."))
    return redirect("lifecycle:student", pk=student.pk)


@school_view("lifecycle.manage_status")
def package_download(request: HttpRequest, pk: int) -> HttpResponse:
    package: TransferPackage = get_object_or_404(TransferPackage.objects.filter(school=request.school), pk=pk)  # type: ignore[attr-defined]
    if package.state != PackageState.READY or not package.storage_name:
        raise Http404
    try:
        handle = default_storage.open(package.storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    services.transfer_package_download(actor=Actor.from_request(request), package=package)
    response = FileResponse(handle, content_type="application/zip")
    if package.size is not None:
        response["Content-Length"] = str(package.size)
    response["Content-Disposition"] = content_disposition("attachment", package.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response  # type: ignore[return-value]


@require_POST
@school_view("lifecycle.manage_status")
def package_password(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the package's password, once (the page is never stored: ``private, no-store``)."""
    package: TransferPackage = get_object_or_404(
        TransferPackage.objects.filter(school=request.school).select_related("student"),  # type: ignore[attr-defined]
        pk=pk,
    )
    try:
        password = services.transfer_package_password_reveal(actor=Actor.from_request(request), package=package)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("lifecycle:student", pk=package.student_id)
    return render(request, "lifecycle/package_password.html", {"package": package, "password": password})


@upload_route("lifecycle:transfer_in", lambda request: package.MAX_PACKAGE_BYTES)
@school_view("lifecycle.manage_status")
def transfer_in(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    form = TransferInForm(request.POST or None, request.FILES or None, school=school)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["package"]
        path_of = getattr(upload, "temporary_file_path", None)
        try:
            if not callable(path_of):
                raise ServiceError(_("The package could not be read. Please upload it again."), field="package")
            transfer = services.student_transfer_in(
                actor=Actor.from_request(request),
                school=school,
                package_path=path_of(),
                package_name=upload.name or "",
                student_number=form.cleaned_data["student_number"],
                effective_on=form.cleaned_data["effective_on"],
                school_class=form.cleaned_data["school_class"],
                seat=form.cleaned_data["seat"],
                note=form.cleaned_data["note"],
                package_password=form.cleaned_data["password"],
            )
        except ServiceError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s transferred in from %(school)s with every record and file.")
                % {"name": transfer.student.name, "school": transfer.origin_school_name or transfer.origin_school_code},
            )
            return redirect("lifecycle:student", pk=transfer.student_id)
    return render(request, "lifecycle/transfer_in.html", {"form": form}, status=400 if form.errors else 200)


@school_view()
def transferred_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A file a transfer package brought, for whoever may see its student."""
    link = get_object_or_404(selectors.transferred_files_visible_to(request.user, request.school), pk=pk)  # type: ignore[arg-type,attr-defined]
    return file_response(request, link.stored_file, inline=request.GET.get("download") != "1")


def _day(request: HttpRequest) -> datetime.date:
    text = request.GET.get("on", "").strip()
    if text:
        try:
            return rocdate.parse_roc(text)
        except rocdate.RocDateError:
            messages.error(request, _("Enter a date such as 112.02.10."))
    return timezone.localdate()


@school_view("lifecycle.view_retention")
def retention(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    # queries: rules, sealed students, their leaving changes, holds in force; runs; counts
    rows = selectors.sealed_students(school)
    graduates, leavers = selectors.retention_years(school)
    return render(
        request,
        "lifecycle/retention.html",
        {
            "rows": rows,
            "graduate_years": graduates,
            "leaver_years": leavers,
            "runs": list(RetentionRun.objects.filter(school=school)[:10]),
            "counts": list(RetentionCount.objects.filter(school=school)),
            "may_hold": has_permission(request.user, school, "lifecycle.manage_holds"),  # type: ignore[arg-type]
            "hold_form": LegalHoldForm(),
            "release_form": HoldReleaseForm(),
            "today": timezone.localdate(),
        },
    )


@school_view("lifecycle.view_retention")
def retention_preview(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    day = _day(request)
    due, held = selectors.retention_preview(school, on=day)
    return render(request, "lifecycle/retention_preview.html", {"due": due, "held": held, "day": day})


@require_POST
@school_view("lifecycle.manage_holds")
def hold_place(request: HttpRequest, pk: int) -> HttpResponse:
    student = _student(request, pk)
    form = LegalHoldForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(_("Give the reason for the legal hold."))
        services.legal_hold_place(
            actor=Actor.from_request(request), student=student, reason=form.cleaned_data["reason"]
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Legal hold placed: %(name)s's data will not be deleted.") % {"name": student.name})
    return redirect("lifecycle:retention")


@require_POST
@school_view("lifecycle.manage_holds")
def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    hold: LegalHold = get_object_or_404(LegalHold.objects.filter(school=request.school), pk=pk)  # type: ignore[attr-defined]
    form = HoldReleaseForm(request.POST)
    form.is_valid()
    try:
        services.legal_hold_release(
            actor=Actor.from_request(request), hold=hold, note=form.cleaned_data.get("note") or ""
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Legal hold released."))
    return redirect("lifecycle:retention")
