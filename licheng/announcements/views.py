"""Pages for announcements, the mid-term parent notice and help requests."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from licheng.announcements import selectors, services
from licheng.announcements.forms import AnnouncementForm, AnswerForm, HelpRequestForm
from licheng.announcements.models import Announcement, AnnouncementTarget, HelpStatus, ParentNotice, TargetKind
from licheng.audit.services import Actor
from licheng.core import spreadsheets as sheets
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission, school_view
from licheng.people.roles import Role
from licheng.schools import rocdate

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _add_error(form: Any, error: ServiceError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


# ---------------------------------------------------------------- announcements

STATES = ("current", "upcoming", "expired", "withdrawn")


def _filter_state(rows: QuerySet[Announcement], state: str, today: datetime.date) -> QuerySet[Announcement]:
    live = rows.filter(withdrawn_at__isnull=True)
    if state == "current":
        return live.filter(publish_on__lte=today).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    if state == "upcoming":
        return live.filter(publish_on__gt=today)
    if state == "expired":
        return live.filter(expires_on__lt=today)
    if state == "withdrawn":
        return rows.filter(withdrawn_at__isnull=False)
    return rows


def target_labels(targets: list[AnnouncementTarget], class_names: dict[str, str]) -> list[str]:
    labels = []
    for target in targets:
        if target.kind == TargetKind.ROLE:
            labels.append(str(Role(target.value).label) if target.value in Role.values else target.value)
        elif target.kind == TargetKind.GRADE:
            labels.append(_("Grade {grade}").format(grade=target.value))
        else:
            labels.append(class_names.get(target.value, target.value))
    return labels


def _with_targets(rows: list[Announcement], school: Any) -> list[Announcement]:
    from licheng.schools.models import SchoolClass

    class_ids = {t.value for a in rows for t in a.targets.all() if t.kind == TargetKind.CLASS}
    names = (
        {
            str(pk): name
            for pk, name in SchoolClass.objects.filter(school=school, pk__in=class_ids).values_list("pk", "name")
        }
        if class_ids
        else {}
    )
    for row in rows:
        row.target_labels = target_labels(list(row.targets.all()), names)  # type: ignore[attr-defined]
    return rows


def _announcement_rows(request: HttpRequest) -> tuple[QuerySet[Announcement], dict[str, str]]:
    school = request.school  # type: ignore[attr-defined]
    rows = selectors.announcements_visible_to(request.user, school)  # type: ignore[arg-type]
    state = request.GET.get("state", "current" if not _can_post(request) else "")
    if state not in STATES:
        state = ""
    query = request.GET.get("q", "").strip()[:60]
    rows = _filter_state(rows, state, timezone.localdate())
    if query:
        rows = rows.filter(Q(title__icontains=query) | Q(body__icontains=query))
    return rows.select_related("author").prefetch_related(
        Prefetch("targets", queryset=AnnouncementTarget.objects.order_by("kind", "value"))
    ), {"state": state, "q": query}


def _can_post(request: HttpRequest) -> bool:
    return has_permission(request.user, request.school, "announcements.post")  # type: ignore[arg-type,attr-defined]


@school_view()
def announcement_list(request: HttpRequest) -> HttpResponse:
    rows, filters = _announcement_rows(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    _with_targets(list(page.object_list), request.school)  # type: ignore[attr-defined]
    return render(
        request,
        "announcements/list.html",
        {
            "page": page,
            "announcements": page.object_list,
            "filters": filters,
            "states": [
                ("", _("All")),
                ("current", _("Current")),
                ("upcoming", _("Upcoming")),
                ("expired", _("Expired")),
                ("withdrawn", _("Withdrawn")),
            ],
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "can_post": _can_post(request),
            "can_notice": has_permission(request.user, request.school, "announcements.parent_notice"),  # type: ignore[arg-type,attr-defined]
        },
    )


@school_view("announcements.post")
def announcement_export(request: HttpRequest) -> HttpResponse:
    rows, _filters = _announcement_rows(request)
    items = _with_targets(list(rows[:5000]), request.school)  # type: ignore[attr-defined]
    content = sheets.workbook_bytes(
        _("Announcements"),
        [
            pgettext("announcement", "title"),
            _("publish on"),
            _("expires on"),
            _("To"),
            _("posted by"),
            _("e-mail"),
            _("withdrawn"),
            _("text"),
        ],
        [
            [
                a.title,
                rocdate.format_roc(a.publish_on),
                rocdate.format_roc(a.expires_on),
                "、".join(a.target_labels),  # type: ignore[attr-defined]
                a.author.name or a.author.username,
                _("yes") if a.send_email else "",
                _("yes") if a.withdrawn_at else "",
                a.body,
            ]
            for a in items
        ],
    )
    return _xlsx(content, "licheng-announcements.xlsx")


@school_view("announcements.post")
def announcement_create(request: HttpRequest) -> HttpResponse:
    from licheng.core.home import current_term

    school = request.school  # type: ignore[attr-defined]
    term = current_term(school)
    form = AnnouncementForm(
        request.POST or None,
        school=school,
        academic_year=term.academic_year if term else None,
        initial={"publish_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                announcement = services.announcement_post(
                    actor=Actor.from_request(request),
                    school=school,
                    title=data["title"],
                    body=data["body"],
                    publish_on=data["publish_on"],
                    expires_on=data["expires_on"],
                    roles=data["roles"],
                    grades=data["grades"],
                    class_ids=[c.pk for c in data["classes"]],
                    send_email=data["send_email"],
                )
            except ServiceError as error:
                _add_error(form, error)
            else:
                messages.success(request, _("The announcement was posted."))
                return redirect("announcements:detail", pk=announcement.pk)
        status = 400
    return render(request, "announcements/form.html", {"form": form}, status=status)


@school_view()
def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    announcement = get_object_or_404(
        selectors.announcements_visible_to(request.user, school).select_related("author"),  # type: ignore[arg-type]
        pk=pk,
    )
    _with_targets([announcement], school)
    return render(
        request,
        "announcements/detail.html",
        {"announcement": announcement, "can_post": _can_post(request)},
    )


@require_POST
@school_view("announcements.post")
def announcement_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = get_object_or_404(
        selectors.announcements_visible_to(request.user, request.school),  # type: ignore[arg-type,attr-defined]
        pk=pk,
    )
    try:
        services.announcement_withdraw(actor=Actor.from_request(request), announcement=announcement)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The announcement was withdrawn."))
    return redirect("announcements:detail", pk=pk)


@school_view("announcements.parent_notice")
def parent_notice(request: HttpRequest) -> HttpResponse:
    """Send the mid-term progress notice (期中檢核及家長通知) for a term; the sendings so far."""
    from licheng.core.home import current_term
    from licheng.schools.models import Term

    school = request.school  # type: ignore[attr-defined]
    terms = list(Term.objects.filter(school=school).select_related("academic_year").order_by("-starts_on")[:6])
    current = current_term(school)
    error = None
    chosen = request.POST.get("term") or (str(current.pk) if current else "")
    note = request.POST.get("note", "")
    if request.method == "POST":
        term = next((t for t in terms if str(t.pk) == chosen), None)
        try:
            if term is None:
                raise ServiceError(_("Choose a term of this school."), field="term")
            notice = services.parent_notice_send(actor=Actor.from_request(request), school=school, term=term, note=note)
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, _("The mid-term notice was sent to {n} parents.").format(n=notice.parents))
            return redirect("announcements:parent_notice")
    history = list(ParentNotice.objects.filter(school=school).select_related("term__academic_year", "sent_by")[:20])
    return render(
        request,
        "announcements/parent_notice.html",
        {"terms": terms, "chosen": chosen, "note": note, "error": error, "history": history},
        status=400 if error else 200,
    )


# ---------------------------------------------------------------- help requests


@school_view()
def help_new(request: HttpRequest) -> HttpResponse:
    """Report a problem; ``?page=`` carries the page the person was on."""
    form = HelpRequestForm(request.POST or None, initial={"page": request.GET.get("page", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                help_request = services.help_request_create(
                    actor=Actor.from_request(request),
                    school=request.school,  # type: ignore[attr-defined]
                    text=form.cleaned_data["text"],
                    page_url=form.cleaned_data["page"],
                )
            except ServiceError as error:
                _add_error(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you. Your report is #{number}; you will be told here when it is answered.").format(
                        number=help_request.pk
                    ),
                )
                return redirect("announcements:help_detail", pk=help_request.pk)
        status = 400
    page = services.clean_page_url(form["page"].value() or "")
    return render(request, "announcements/help_new.html", {"form": form, "page_url": page}, status=status)


def _help_rows(request: HttpRequest) -> tuple[Any, dict[str, str]]:
    rows = selectors.help_requests_visible_to(request.user, request.school)  # type: ignore[arg-type,attr-defined]
    status = request.GET.get("status", "")
    if status not in HelpStatus.values:
        status = ""
    query = request.GET.get("q", "").strip()[:60]
    if status:
        rows = rows.filter(status=status)
    if query:
        rows = rows.filter(Q(text__icontains=query) | Q(page_url__icontains=query) | Q(reporter__name__icontains=query))
    return rows, {"status": status, "q": query}


@school_view()
def help_list(request: HttpRequest) -> HttpResponse:
    rows, filters = _help_rows(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "announcements/help_list.html",
        {
            "page": page,
            "requests": page.object_list,
            "filters": filters,
            "statuses": HelpStatus.choices,
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "can_answer": has_permission(request.user, request.school, "announcements.answer_help"),  # type: ignore[arg-type,attr-defined]
        },
    )


@school_view("announcements.answer_help")
def help_export(request: HttpRequest) -> HttpResponse:
    rows, _filters = _help_rows(request)
    content = sheets.workbook_bytes(
        _("Help requests"),
        [
            "#",
            _("reported at"),
            _("reported by"),
            _("page"),
            _("what happened"),
            _("status"),
            _("answer"),
            _("answered by"),
            _("answered at"),
        ],
        [
            [
                r.pk,
                _roc_datetime(r.reported_at),
                r.reporter.name or r.reporter.username,
                r.page_url,
                r.text,
                r.get_status_display(),
                r.answer,
                (r.answered_by.name or r.answered_by.username) if r.answered_by else "",
                _roc_datetime(r.answered_at),
            ]
            for r in rows[:5000]
        ],
    )
    return _xlsx(content, "licheng-help-requests.xlsx")


def _roc_datetime(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{rocdate.format_roc(local.date())} {local:%H:%M}"


@school_view()
def help_detail(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = get_object_or_404(
        selectors.help_requests_visible_to(request.user, request.school),  # type: ignore[arg-type,attr-defined]
        pk=pk,
    )
    can_answer = has_permission(request.user, request.school, "announcements.answer_help")  # type: ignore[arg-type,attr-defined]
    form = AnswerForm(initial={"answer": help_request.answer}) if can_answer else None
    return render(
        request,
        "announcements/help_detail.html",
        {"help_request": help_request, "form": form},
    )


@require_POST
@school_view("announcements.answer_help")
def help_answer(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = get_object_or_404(
        selectors.help_requests_visible_to(request.user, request.school),  # type: ignore[arg-type,attr-defined]
        pk=pk,
    )
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.help_request_answer(
                actor=Actor.from_request(request), help_request=help_request, answer=form.cleaned_data["answer"]
            )
        except ServiceError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The answer was sent to the reporter."))
            return redirect("announcements:help_detail", pk=pk)
    return render(request, "announcements/help_detail.html", {"help_request": help_request, "form": form}, status=400)
