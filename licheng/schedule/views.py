"""Pages of the work schedule (作業期程): the term's windows, their forms, the yearly copy,
individual extensions, "my deadlines" with its calendar address, and the published schedule with
its iCalendar feeds (no login)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_scopes import scope

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission, school_view
from licheng.people.models import Student, User
from licheng.people.roles import Role
from licheng.schedule import ical, services
from licheng.schedule.forms import EntryForm, ExtensionForm
from licheng.schedule.models import CalendarToken, ScheduleEntry, ScheduleExtension
from licheng.schedule.selectors import entries_of, published_terms, terms_of, work_items_for
from licheng.schedule.windows import WORK_ITEMS, deadlines_for
from licheng.schools.models import School, Term
from licheng.schools.selectors import current_term


def _show_error(form: forms.BaseForm, error: ServiceError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _office_label(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return code


_ORDER = {code: n for n, code in enumerate(WORK_ITEMS)}


def _rows(entries: list[ScheduleEntry]) -> list[dict[str, Any]]:
    """Entries in calendar order; windows starting the same day in the order of the yearly flow."""
    entries = sorted(entries, key=lambda e: (e.starts_on, _ORDER.get(e.work_item, 99), e.grade or 0, e.batch or 0))
    return [
        {
            "entry": e,
            "label": WORK_ITEMS[e.work_item].label if e.work_item in WORK_ITEMS else e.work_item,
            "office": _office_label(e.office),
        }
        for e in entries
    ]


# --- the schedule of a term ----------------------------------------------------------------------


@school_view("schedule.view")
def index(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    terms = list(terms_of(school))
    term: Term | None = None
    if request.GET.get("term"):
        term = next((t for t in terms if str(t.pk) == request.GET["term"]), None)
        if term is None:
            raise Http404
    else:
        term = current_term(school)
    may_manage = has_permission(request.user, school, "schedule.manage")  # type: ignore[arg-type]
    entries = list(entries_of(term, drafts=may_manage)) if term is not None else []
    published = [e for e in entries if e.published_at is not None]
    return render(
        request,
        "schedule/index.html",
        {
            "terms": terms,
            "term": term,
            "rows": _rows(entries),
            "may_manage": may_manage,
            "drafts": len(entries) - len(published),
            "has_entries": bool(entries),
            "uses_term_fields": term is not None and not published,
        },
    )


@school_view("schedule.manage")
def entry_create(request: HttpRequest, term_pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    term = get_object_or_404(terms_of(school), pk=term_pk)
    form = EntryForm(request.POST or None, initial={"work_item": request.GET.get("work_item")})
    if request.method == "POST" and form.is_valid():
        try:
            publish = request.POST.get("publish") == "1"
            services.schedule_entry_create(
                actor=Actor.from_request(request), term=term, publish=publish, **form.cleaned_data
            )
        except ServiceError as error:
            _show_error(form, error)
        else:
            if publish:
                messages.success(request, _("The window was added to the schedule and published."))
            else:
                messages.success(
                    request, _("The window was saved as a draft: it opens nothing and shows nowhere until published.")
                )
            return redirect(f"{reverse('schedule:index')}?term={term.pk}")
    return render(request, "schedule/entry_form.html", {"form": form, "term": term, "entry": None})


@school_view("schedule.manage")
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    entry: ScheduleEntry = get_object_or_404(
        ScheduleEntry.objects.filter(school=school).select_related("term__academic_year"), pk=pk
    )
    initial = {
        "work_item": entry.work_item,
        "grade": entry.grade,
        "batch": entry.batch,
        "office": entry.office,
        "starts_on": entry.starts_on,
        "ends_on": entry.ends_on,
        "self_check_on": entry.self_check_on,
        "note": entry.note,
    }
    form = EntryForm(request.POST or None, initial=initial, fixed_item=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("work_item", None)
        try:
            services.schedule_entry_update(actor=Actor.from_request(request), entry=entry, **data)
        except ServiceError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The window was changed."))
            return redirect(f"{reverse('schedule:index')}?term={entry.term_id}")
    return render(request, "schedule/entry_form.html", {"form": form, "term": entry.term, "entry": entry})


@require_POST
@school_view("schedule.manage")
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    entry: ScheduleEntry = get_object_or_404(
        ScheduleEntry.objects.filter(school=school).select_related("term__school"), pk=pk
    )
    term_pk = entry.term_id
    try:
        services.schedule_entry_delete(actor=Actor.from_request(request), entry=entry)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The window was removed from the schedule."))
    return redirect(f"{reverse('schedule:index')}?term={term_pk}")


@require_POST
@school_view("schedule.manage")
def publish(request: HttpRequest, term_pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    term = get_object_or_404(terms_of(school), pk=term_pk)
    try:
        count = services.schedule_entries_publish(actor=Actor.from_request(request), term=term)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d window was published: it is in force and on the public schedule.",
                "%(count)d windows were published: they are in force and on the public schedule.",
                count,
            )
            % {"count": count},
        )
    return redirect(f"{reverse('schedule:index')}?term={term.pk}")


@require_POST
@school_view("schedule.manage")
def copy_last_year(request: HttpRequest, term_pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    term = get_object_or_404(terms_of(school), pk=term_pk)
    try:
        copies = services.schedule_copy_from_last_year(actor=Actor.from_request(request), term=term)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "%(count)s windows were copied from last year as drafts, each moved 52 weeks later (same "
                "weekday). Check them, then publish."
            )
            % {"count": len(copies)},
        )
    return redirect(f"{reverse('schedule:index')}?term={term.pk}")


# --- individual extensions -----------------------------------------------------------------------


def _find_person(school: School, text: str) -> User | None:
    """A user of ``school`` by student number or by username. The look-up is scoped to the school
    first: another school's student or user is exactly like one that does not exist."""
    text = text.strip()
    student = Student.objects.filter(school=school, student_number=text).select_related("user").first()
    if student is not None:
        return student.user
    return User.objects.filter(school=school, username=text).first()


@require_POST
@school_view("schedule.grant_extensions")
def extension_revoke(request: HttpRequest, source: str, pk: int) -> HttpResponse:
    from licheng.portfolio.models import WindowExtension

    school = request.school  # type: ignore[attr-defined]
    model = {"schedule": ScheduleExtension, "portfolio": WindowExtension}.get(source)
    if model is None:
        raise Http404
    extension = get_object_or_404(model.objects.filter(school=school).select_related("user"), pk=pk)  # type: ignore[attr-defined]
    try:
        services.schedule_extension_revoke(actor=Actor.from_request(request), extension=extension)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The extension for %(person)s was revoked.") % {"person": extension.user})
    return redirect("schedule:extensions")


@school_view("schedule.grant_extensions")
def extensions(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    term = current_term(school)
    terms = list(terms_of(school))
    if request.POST.get("term"):
        term = next((t for t in terms if str(t.pk) == request.POST["term"]), None)
        if term is None:
            raise Http404
    form = ExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = _find_person(school, data["person"])
        if person is None:
            form.add_error("person", _("No one has this student number or username."))
        elif term is None:
            form.add_error(None, _("The school has no term yet."))
        else:
            try:
                services.schedule_extension_grant(
                    actor=Actor.from_request(request),
                    term=term,
                    user=person,
                    work_item=data["work_item"],
                    until=data["until"],
                    reason=data["reason"],
                )
            except ServiceError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("The window was extended for %(person)s.") % {"person": person})
                return redirect("schedule:extensions")
    from licheng.portfolio.models import WindowExtension

    schedule_rows: list[dict[str, Any]] = [
        {
            "source": "schedule",
            "pk": e.pk,
            "user": e.user,
            "label": WORK_ITEMS[e.work_item].label if e.work_item in WORK_ITEMS else e.work_item,
            "term": e.term,
            "until": e.until,
            "reason": e.reason,
            "granted_by": e.granted_by,
            "created_at": e.created_at,
        }
        for e in ScheduleExtension.objects.filter(school=school).select_related(
            "user", "term__academic_year", "granted_by"
        )[:200]
    ]
    portfolio_rows: list[dict[str, Any]] = [
        {
            "source": "portfolio",
            "pk": e.pk,
            "user": e.user,
            "label": WORK_ITEMS[e.kind].label,
            "term": e.term,
            "until": e.until,
            "reason": e.reason,
            "granted_by": e.granted_by,
            "created_at": e.created_at,
        }
        for e in WindowExtension.objects.filter(school=school)
        .select_related("user", "term__academic_year", "granted_by")
        .order_by("-created_at")[:200]
    ]
    rows = sorted(schedule_rows + portfolio_rows, key=lambda r: r["created_at"], reverse=True)
    return render(request, "schedule/extensions.html", {"form": form, "rows": rows, "term": term, "terms": terms})


# --- my deadlines and the private calendar address -----------------------------------------------


@school_view()
def my_deadlines(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    user = request.user
    terms = published_terms(school)
    rows = deadlines_for(user, terms, work_items_for(user, school))  # type: ignore[arg-type]
    today = timezone.localdate()
    new_token = request.session.pop("schedule_new_calendar_token", None)
    return render(
        request,
        "schedule/my_deadlines.html",
        {
            "rows": rows,
            "today": today,
            "has_feed": CalendarToken.objects.filter(user=user, revoked_at__isnull=True).exists(),  # type: ignore[misc]
            "feed_url": request.build_absolute_uri(reverse("schedule:my_feed", args=[new_token]))
            if new_token
            else None,
            "public_url": reverse("schedule:public", args=[school.code]),
        },
    )


@require_POST
@school_view()
def calendar_token_issue(request: HttpRequest) -> HttpResponse:
    try:
        token = services.calendar_token_issue(actor=Actor.from_request(request))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        request.session["schedule_new_calendar_token"] = token
        messages.success(request, _("Your calendar address is ready. Any earlier address no longer works."))
    return redirect("schedule:my_deadlines")


@require_POST
@school_view()
def calendar_token_revoke(request: HttpRequest) -> HttpResponse:
    try:
        services.calendar_token_revoke(actor=Actor.from_request(request))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your calendar address no longer works."))
    return redirect("schedule:my_deadlines")


def my_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private "my deadlines" feed; a wrong or revoked secret answers 404."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        row = (
            CalendarToken.objects.filter(token_hash=services.token_digest(token), revoked_at__isnull=True)
            .select_related("user", "school")
            .first()
        )
    if row is None or not row.user.is_active or row.user.school_id != row.school_id or not row.school.is_active:
        raise Http404
    school, user = row.school, row.user
    with scope(school=school):
        terms = published_terms(school)
        rows = deadlines_for(user, terms, work_items_for(user, school))
        events = [
            {
                "uid": f"deadline-{r['term'].pk}-{r['work_item']}-{user.pk}",
                "summary": f"{r['label']}（{r['term'].label}）",
                "starts_on": r["starts_on"],
                "ends_on": r["ends_on"],
                "description": ical.window_description(r["starts_on"], r["ends_on"]),
            }
            for r in rows
        ]
        body = ical.calendar_bytes(
            _("My deadlines · %(school)s") % {"school": school.name}, events, f"{school.code}.licheng"
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


# --- the published schedule (no login) ------------------------------------------------------------


def _public_school(code: str) -> School:
    school = School.objects.filter(code=code, is_active=True).first()
    if school is None:
        raise Http404
    return school


def _public_entries(school: School) -> tuple[list[Term], list[ScheduleEntry]]:
    terms = published_terms(school)
    entries = list(
        ScheduleEntry.objects.filter(school=school, term__in=terms, published_at__isnull=False).select_related(
            "term__academic_year"
        )
    )
    return terms, entries


def public(request: HttpRequest, code: str) -> HttpResponse:
    school = _public_school(code)
    with scope(school=school):
        terms, entries = _public_entries(school)
        by_term = [(t, _rows([e for e in entries if e.term_id == t.pk])) for t in terms]
        return render(
            request,
            "schedule/public.html",
            {"public_school": school, "by_term": by_term, "today": timezone.localdate()},
        )


def public_feed(request: HttpRequest, code: str) -> HttpResponse:
    school = _public_school(code)
    with scope(school=school):
        _terms, entries = _public_entries(school)
        events = []
        for e in entries:
            label = WORK_ITEMS[e.work_item].label if e.work_item in WORK_ITEMS else e.work_item
            who = _("every grade") if e.grade is None else _("grade %(grade)s") % {"grade": e.grade}
            if e.batch:
                who += " " + _("batch %(batch)s") % {"batch": e.batch}
            events.append(
                {
                    "uid": f"schedule-{e.pk}",
                    "summary": f"{label}（{who}，{e.term.label}）",
                    "starts_on": e.starts_on,
                    "ends_on": e.ends_on,
                    "description": ical.window_description(e.starts_on, e.ends_on, _office_label(e.office), e.note),
                }
            )
        body = ical.calendar_bytes(
            _("Work schedule · %(school)s") % {"school": school.name}, events, f"{school.code}.licheng"
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "public, max-age=900"
    return response
