"""Pages of receipts: the registry imports receipts and answers disputes, with a dashboard by
class; a student compares what arrived with what the school sent, then confirms (and prints) or
disputes."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission, school_view
from licheng.files.upload import upload_route
from licheng.files.views import content_disposition
from licheng.people.models import User
from licheng.receipts import parsing, selectors, services
from licheng.receipts.forms import AnswerForm, DisputeForm, ImportForm, WindowForm
from licheng.receipts.models import ConfirmationStatus, ReceiptImport, StudentReceipt
from licheng.schools.models import School


def _school(request: HttpRequest) -> School:
    school: School = request.school  # type: ignore[attr-defined]
    return school


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _show_error(request: HttpRequest, error: ServiceError) -> None:
    messages.error(request, error.message)


@school_view("receipts.view")
def index(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    can_manage = has_permission(_user(request), school, "receipts.manage")
    form = ImportForm(school=school) if can_manage else None
    return render(
        request,
        "receipts/index.html",
        {"receipts": selectors.receipts_of(school)[:50], "form": form, "can_manage": can_manage},
    )


@upload_route("receipts:import", lambda request: parsing.MAX_BYTES)
@school_view("receipts.manage")
def import_receipt(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    if request.method != "POST":
        return redirect("receipts:index")
    form = ImportForm(request.POST, request.FILES, school=school)
    if form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            receipts = services.receipt_import(
                actor=Actor.from_request(request),
                school=school,
                term=form.cleaned_data["term"],
                content=upload.read(),
                file_name=upload.name or "",
                password=form.cleaned_data["password"],
                opens_on=form.cleaned_data["opens_on"],
                closes_on=form.cleaned_data["closes_on"],
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Receipt imported: %(categories)s; %(count)d students matched.")
                % {
                    "categories": "、".join(r.category for r in receipts),
                    "count": len({a for r in receipts for a in r.answers.values_list("student_id", flat=True)}),
                },
            )
            return redirect("receipts:detail", pk=receipts[0].pk)
    return render(
        request,
        "receipts/index.html",
        {"receipts": selectors.receipts_of(school)[:50], "form": form, "can_manage": True},
        status=400,
    )


def _detail(request: HttpRequest, receipt: ReceiptImport, window_form: WindowForm | None = None) -> HttpResponse:
    school = _school(request)
    can_manage = has_permission(_user(request), school, "receipts.manage")
    if window_form is None and can_manage and receipt.closed_at is None:
        opens_on, closes_on = receipt.opens_on, receipt.closes_on
        note = ""
        if opens_on is None:
            opens_on, closes_on, note = services.proposed_window(school, receipt.term)
        window_form = WindowForm(initial={"opens_on": opens_on, "closes_on": closes_on})
        window_form.note = note  # type: ignore[attr-defined]
    return render(
        request,
        "receipts/detail.html",
        {
            "receipt": receipt,
            "same_file": selectors.same_file(receipt),
            "rosters": selectors.roster_info(receipt),
            "classes": selectors.dashboard(receipt),
            "disputes": selectors.disputes(receipt),
            "can_manage": can_manage,
            "answer_form": AnswerForm(),
            "window_form": window_form,
        },
        status=400 if window_form is not None and window_form.errors else 200,
    )


@school_view("receipts.view")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(selectors.receipts_of(_school(request)), pk=pk))


@require_POST
@school_view("receipts.manage")
def window(request: HttpRequest, pk: int) -> HttpResponse:
    """The registry sets or moves one category's confirmation window."""
    receipt = get_object_or_404(selectors.receipts_of(_school(request)), pk=pk)
    form = WindowForm(request.POST)
    if form.is_valid():
        try:
            services.receipt_window_set(
                actor=Actor.from_request(request),
                receipt=receipt,
                opens_on=form.cleaned_data["opens_on"],
                closes_on=form.cleaned_data["closes_on"],
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Window saved; the students were told when they can answer."))
            return redirect("receipts:detail", pk=receipt.pk)
    return _detail(request, receipt, form)


@require_POST
@school_view("receipts.manage")
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    item: StudentReceipt = get_object_or_404(StudentReceipt.objects.filter(school=_school(request)), pk=pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the answer the student will read."))
    else:
        try:
            services.dispute_answer(
                actor=Actor.from_request(request),
                answer=item,
                reply=form.cleaned_data["reply"],
                resubmit=form.cleaned_data["resubmit"],
            )
            messages.success(request, _("Answer saved."))
        except ServiceError as error:
            _show_error(request, error)
    return redirect("receipts:detail", pk=item.receipt_id)


@school_view()
def mine(request: HttpRequest) -> HttpResponse:
    """The student's newest receipt of each category: what arrived beside what the school sent."""
    school, user = _school(request), _user(request)
    student = selectors.student_of(user, school)
    if student is None:
        raise Http404
    current, earlier = selectors.current_answers(user, school)
    return render(
        request,
        "receipts/mine.html",
        {
            "student": student,
            "current": [(answer, selectors.comparison(answer)) for answer in current],
            "earlier": earlier,
            "dispute_form": DisputeForm(),
            "STATUS": ConfirmationStatus,
        },
    )


def _own(request: HttpRequest, pk: int) -> StudentReceipt:
    return get_object_or_404(selectors.own_answers(_user(request), _school(request)), pk=pk)


@require_POST
@school_view()
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    item = _own(request, pk)
    try:
        services.receipt_confirm(actor=Actor.from_request(request), answer=item)
        messages.success(request, _("Thank you: you confirmed what the central database received."))
    except ServiceError as error:
        _show_error(request, error)
    return redirect("receipts:mine")


@require_POST
@school_view()
def dispute(request: HttpRequest, pk: int) -> HttpResponse:
    item = _own(request, pk)
    try:
        services.receipt_dispute(
            actor=Actor.from_request(request),
            answer=item,
            reason=request.POST.get("reason", ""),
            text=request.POST.get("text", ""),
        )
        messages.success(request, _("Your report was sent to the registry."))
    except ServiceError as error:
        _show_error(request, error)
    return redirect("receipts:mine")


@school_view()
def confirmation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable record of the confirmation (WeasyPrint; the CJK font is embedded)."""
    from weasyprint import HTML

    item = _own(request, pk)
    if item.status != ConfirmationStatus.CONFIRMED:
        raise Http404
    html = render_to_string(
        "receipts/confirmation_pdf.html",
        {
            "answer": item,
            "student": item.student,
            "categories": selectors.comparison(item),
            "printed_at": timezone.now(),
        },
        request=request,
    )
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        "attachment", f"receipt-confirmation-{item.receipt.term.label}.pdf"
    )
    return response
