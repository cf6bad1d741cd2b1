from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from licheng.audit import selectors
from licheng.audit.forms import ActivityFilterForm
from licheng.core.permissions import school_view

PAGE_SIZE = 50


def _with_rows(entries: list) -> list:  # type: ignore[type-arg]
    for entry in entries:
        entry.change_rows = selectors.change_rows(entry.changes)
    return entries


@school_view("audit.view")
def object_history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    """Everything recorded about one object of this school, newest first."""
    school = request.school  # type: ignore[attr-defined]
    entries = selectors.object_history(request.user, school, object_type, object_id)  # type: ignore[arg-type]
    if entries is None:
        raise Http404
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    latest = page.object_list[0] if page.object_list else None
    return render(
        request,
        "audit/object_history.html",
        {
            "page": page,
            "entries": _with_rows(list(page.object_list)),
            "object_type": object_type,
            "object_id": object_id,
            "object_repr": latest.object_repr if latest else f"{object_type} #{object_id}",
        },
    )


@school_view("audit.view")
def activity(request: HttpRequest) -> HttpResponse:
    """The school's recent activity, filtered by action, person and dates."""
    school = request.school  # type: ignore[attr-defined]
    form = ActivityFilterForm(request.GET or None, actions=selectors.actions_in(school))
    entries = selectors.entries_visible_to(request.user, school)  # type: ignore[arg-type]
    if form.is_bound:
        form.is_valid()
        # Filters that are valid apply; a mistyped one is reported under its field and ignored.
        entries = selectors.filter_entries(
            entries,
            action=form.cleaned_data.get("action") or "",
            actor=(form.cleaned_data.get("actor") or "").strip(),
            date_from=form.cleaned_data.get("date_from"),
            date_to=form.cleaned_data.get("date_to"),
        )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/activity.html",
        {"form": form, "page": page, "entries": _with_rows(list(page.object_list)), "query": query.urlencode()},
    )
