"""Pages of the working group (工作小組): overview, members, meetings, trainings, evaluations, exports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core import spreadsheets as sheets
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission, school_view
from licheng.files.upload import upload_route
from licheng.schools import rocdate
from licheng.workinggroup import services
from licheng.workinggroup.forms import EvaluationForm, MeetingForm, MemberForm, TrainingForm
from licheng.workinggroup.models import (
    Audience,
    Evaluation,
    EvaluationKind,
    Meeting,
    MeetingAttachment,
    Member,
    Training,
    TrainingKind,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_LIMIT = 500


def _can_manage(request: HttpRequest) -> bool:
    return has_permission(request.user, request.school, "workinggroup.manage")  # type: ignore[arg-type,attr-defined]


def _add_error(form: forms.Form, error: ServiceError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _members(school: Any) -> list[Member]:
    return list(Member.objects.filter(school=school).order_by("left_on", "group_role", "name", "pk")[:LIST_LIMIT])


@school_view("workinggroup.view")
def index(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    return render(
        request,
        "workinggroup/index.html",
        {
            "warnings": services.meeting_warnings(school),
            "member_count": Member.objects.filter(school=school, left_on__isnull=True).count(),
            "meetings": list(Meeting.objects.filter(school=school).select_related("term__academic_year")[:5]),
            "trainings": list(Training.objects.filter(school=school)[:5]),
            "can_manage": _can_manage(request),
        },
    )


@school_view("workinggroup.view")
def members(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    rows = _members(school)
    return render(
        request,
        "workinggroup/members.html",
        {"members": rows, "current": sum(1 for m in rows if m.left_on is None), "can_manage": _can_manage(request)},
    )


def _create(
    request: HttpRequest,
    form_class: type[forms.Form],
    title: str,
    save: Any,
    done: str,
    *,
    initial: dict[str, Any] | None = None,
    files: bool = False,
) -> HttpResponse:
    form = form_class(request.POST or None, initial=initial or {})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except ServiceError as error:
                _add_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(done)
        status = 400
    return render(request, "workinggroup/form.html", {"form": form, "title": title, "files": files}, status=status)


@school_view("workinggroup.manage")
def member_create(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any]) -> None:
        services.member_add(actor=Actor.from_request(request), school=request.school, **data)  # type: ignore[attr-defined]

    return _create(
        request,
        MemberForm,
        _("Add a member"),
        save,
        "workinggroup:members",
        initial={"joined_on": timezone.localdate()},
    )


@require_POST
@school_view("workinggroup.manage")
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    member: Member = get_object_or_404(Member.objects.filter(school=request.school), pk=pk)  # type: ignore[attr-defined]
    try:
        services.member_leave(actor=Actor.from_request(request), member=member)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("{name} has left the group.").format(name=member.name))
    return redirect("workinggroup:members")


@school_view("workinggroup.view")
def meetings(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    rows = list(
        Meeting.objects.filter(school=school)
        .select_related("term__academic_year")
        .prefetch_related("attachments")[:LIST_LIMIT]
    )
    return render(
        request,
        "workinggroup/meetings.html",
        {"meetings": rows, "warnings": services.meeting_warnings(school), "can_manage": _can_manage(request)},
    )


def _attachment_limit(request: HttpRequest) -> int:
    from licheng.schools.selectors import current_term, rules_for

    term = current_term(request.school)  # type: ignore[attr-defined]
    return rules_for(request.school, term.academic_year if term else None).document_max_mb * 1024 * 1024  # type: ignore[attr-defined]


@upload_route("workinggroup:meeting_create", _attachment_limit, files_allowed=services.MAX_ATTACHMENTS)
@school_view("workinggroup.manage")
def meeting_create(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any]) -> None:
        services.meeting_record(
            actor=Actor.from_request(request),
            school=request.school,  # type: ignore[attr-defined]
            attachments=request.FILES.getlist("attachments"),
            **data,
        )

    return _create(
        request,
        MeetingForm,
        _("Record a meeting"),
        save,
        "workinggroup:meetings",
        initial={"held_on": timezone.localdate()},
        files=True,
    )


@school_view("workinggroup.view")
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting: Meeting = get_object_or_404(
        Meeting.objects.filter(school=request.school).select_related("term__academic_year", "created_by"),  # type: ignore[attr-defined]
        pk=pk,
    )
    attachments = list(meeting.attachments.select_related("stored_file"))
    return render(
        request,
        "workinggroup/meeting_detail.html",
        {"meeting": meeting, "attachments": attachments, "can_manage": _can_manage(request), "error": None},
    )


@upload_route("workinggroup:meeting_attach", _attachment_limit, files_allowed=services.MAX_ATTACHMENTS)
@require_POST
@school_view("workinggroup.manage")
def meeting_attach(request: HttpRequest, pk: int) -> HttpResponse:
    meeting: Meeting = get_object_or_404(Meeting.objects.filter(school=request.school), pk=pk)  # type: ignore[attr-defined]
    try:
        services.meeting_attach(
            actor=Actor.from_request(request), meeting=meeting, attachments=request.FILES.getlist("attachments")
        )
    except ServiceError as error:
        attachments = list(meeting.attachments.select_related("stored_file"))
        return render(
            request,
            "workinggroup/meeting_detail.html",
            {"meeting": meeting, "attachments": attachments, "can_manage": True, "error": error.message},
            status=400,
        )
    messages.success(request, _("The attachments were added."))
    return redirect("workinggroup:meeting_detail", pk=pk)


@school_view("workinggroup.view")
def meeting_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    from licheng.files.views import file_response

    attachment: MeetingAttachment = get_object_or_404(
        MeetingAttachment.objects.filter(school=request.school, meeting_id=pk).select_related("stored_file"),  # type: ignore[attr-defined]
        pk=file_pk,
    )
    return file_response(request, attachment.stored_file, inline=True)


def _delete(
    request: HttpRequest, obj: Any, what: str, summary: list[tuple[str, str]], delete: Any, done: str
) -> HttpResponse:
    """Ask first (GET: what goes, and a reason), then delete (POST) through the service."""
    error = ""
    if request.method == "POST":
        try:
            delete(request.POST.get("reason", ""))
        except ServiceError as refusal:
            error = refusal.message
        else:
            messages.success(request, _("Deleted: {what}.").format(what=what))
            return redirect(done)
    return render(
        request,
        "workinggroup/confirm_delete.html",
        {
            "what": what,
            "summary": summary,
            "error": error,
            "reason": request.POST.get("reason", ""),
            "back": reverse(done),
        },
        status=400 if error else 200,
    )


@school_view("workinggroup.manage")
def meeting_delete(request: HttpRequest, pk: int) -> HttpResponse:
    meeting: Meeting = get_object_or_404(Meeting.objects.filter(school=request.school), pk=pk)  # type: ignore[attr-defined]
    summary = [
        (_("date"), _roc(meeting.held_on)),
        (pgettext("meeting", "title"), meeting.title),
        (_("attachments"), str(meeting.attachments.count())),
    ]
    return _delete(
        request,
        meeting,
        meeting.title,
        summary,
        lambda reason: services.meeting_delete(actor=Actor.from_request(request), meeting=meeting, reason=reason),
        "workinggroup:meetings",
    )


@school_view("workinggroup.manage")
def training_delete(request: HttpRequest, pk: int) -> HttpResponse:
    training: Training = get_object_or_404(Training.objects.filter(school=request.school), pk=pk)  # type: ignore[attr-defined]
    summary = [
        (_("date"), _roc(training.held_on)),
        (_("kind"), str(training.get_kind_display())),
        (pgettext("training", "title"), training.title),
        (_("attendance"), str(training.attendance_count)),
    ]
    return _delete(
        request,
        training,
        training.title,
        summary,
        lambda reason: services.training_delete(actor=Actor.from_request(request), training=training, reason=reason),
        "workinggroup:trainings",
    )


@school_view("workinggroup.view")
def trainings(request: HttpRequest) -> HttpResponse:
    rows = Training.objects.filter(school=request.school)  # type: ignore[attr-defined]
    filters = {"kind": request.GET.get("kind", ""), "audience": request.GET.get("audience", "")}
    if filters["kind"] in TrainingKind.values:
        rows = rows.filter(kind=filters["kind"])
    if filters["audience"] in Audience.values:
        rows = rows.filter(audience=filters["audience"])
    return render(
        request,
        "workinggroup/trainings.html",
        {
            "trainings": list(rows[:LIST_LIMIT]),
            "filters": filters,
            "kinds": TrainingKind.choices,
            "audiences": Audience.choices,
            "can_manage": _can_manage(request),
        },
    )


@school_view("workinggroup.manage")
def training_create(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any]) -> None:
        services.training_record(actor=Actor.from_request(request), school=request.school, **data)  # type: ignore[attr-defined]

    return _create(
        request,
        TrainingForm,
        _("Record a training or briefing"),
        save,
        "workinggroup:trainings",
        initial={"held_on": timezone.localdate()},
    )


@school_view("workinggroup.view")
def evaluations(request: HttpRequest) -> HttpResponse:
    rows = Evaluation.objects.filter(school=request.school)  # type: ignore[attr-defined]
    kind = request.GET.get("kind", "")
    if kind in EvaluationKind.values:
        rows = rows.filter(kind=kind)
    return render(
        request,
        "workinggroup/evaluations.html",
        {
            "evaluations": list(rows[:LIST_LIMIT]),
            "filters": {"kind": kind},
            "kinds": EvaluationKind.choices,
            "can_manage": _can_manage(request),
        },
    )


@school_view("workinggroup.manage")
def evaluation_create(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any]) -> None:
        services.evaluation_record(actor=Actor.from_request(request), school=request.school, **data)  # type: ignore[attr-defined]

    return _create(
        request,
        EvaluationForm,
        _("Record an evaluation or award proposal"),
        save,
        "workinggroup:evaluations",
        initial={"recorded_on": timezone.localdate()},
    )


def _roc(day: Any) -> str:
    return rocdate.format_roc(day) if day else ""


@school_view("workinggroup.view")
def export(request: HttpRequest, kind: str) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    if kind == "members":
        title = _("Working-group members")
        header = [_("name"), _("position"), _("role in the group"), _("duties"), _("joined on"), _("left on")]
        rows: list[list[Any]] = [
            [m.name, m.position, m.get_group_role_display(), m.duties, _roc(m.joined_on), _roc(m.left_on)]
            for m in _members(school)
        ]
    elif kind == "meetings":
        title = _("Working-group meetings")
        header = [
            _("Term"),
            _("date"),
            pgettext("meeting", "title"),
            _("place"),
            _("members present"),
            _("agenda"),
            _("minutes"),
            _("decisions"),
            _("attachments"),
        ]
        rows = [
            [
                m.term.label,
                _roc(m.held_on),
                m.title,
                m.place,
                m.attendance,
                m.agenda,
                m.minutes,
                m.decisions,
                len(m.attachments.all()),
            ]
            for m in Meeting.objects.filter(school=school)
            .select_related("term__academic_year")
            .prefetch_related("attachments")[:5000]
        ]
    elif kind == "trainings":
        title = _("Trainings and briefings")
        header = [
            _("date"),
            _("kind"),
            _("audience"),
            pgettext("training", "title"),
            _("attendance"),
            _("attendance list"),
            _("note"),
        ]
        rows = [
            [
                _roc(t.held_on),
                t.get_kind_display(),
                t.get_audience_display(),
                t.title,
                t.attendance_count,
                t.attendees,
                t.note,
            ]
            for t in Training.objects.filter(school=school)[:5000]
        ]
    elif kind == "evaluations":
        title = _("Evaluations and award proposals")
        header = [_("date"), _("kind"), pgettext("evaluation", "title"), _("persons"), _("content"), _("outcome")]
        rows = [
            [_roc(e.recorded_on), e.get_kind_display(), e.title, e.persons, e.content, e.outcome]
            for e in Evaluation.objects.filter(school=school)[:5000]
        ]
    else:
        raise Http404
    response = HttpResponse(sheets.workbook_bytes(str(title), header, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="licheng-workinggroup-{kind}.xlsx"'
    return response
