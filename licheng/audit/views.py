from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from licheng.audit import selectors, words
from licheng.audit.forms import ActivityFilterForm
from licheng.audit.models import AuditRowChange
from licheng.core.permissions import school_view

PAGE_SIZE = 50


def _with_rows(entries: list, object_type: str = "", object_id: str = "") -> list:  # type: ignore[type-arg]
    """Each entry in words: its action's label, its object's kind, its changes as labelled rows. On
    an object's history, a batch entry shows the changes it made to that object."""
    rows_here: dict[int, AuditRowChange] = {}
    if object_type:
        for row in AuditRowChange.objects.filter(
            entry__in=[e.pk for e in entries], object_type=object_type, object_id=object_id
        ):
            rows_here[row.entry_id] = row
    for entry in entries:
        entry.action_label = words.action_label(entry.action)
        entry.object_kind = words.object_kind(entry.object_type)
        entry.change_rows = words.change_rows(entry.object_type, entry.changes)
        here = rows_here.get(entry.pk)
        if here is not None:
            entry.change_rows = words.change_rows(here.object_type, here.changes)
    return entries


@school_view("audit.view")
def object_history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    """Everything recorded about one object of this school, newest first."""
    school = request.school  # type: ignore[attr-defined]
    entries = selectors.object_history(request.user, school, object_type, object_id)  # type: ignore[arg-type]
    if entries is None:
        raise Http404
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    own = next((e for e in page.object_list if e.object_type == object_type and e.object_id == object_id), None)
    model = words.model_of(object_type)
    current = model._base_manager.filter(pk=object_id).first() if model is not None and object_id.isdigit() else None
    name = str(current) if current is not None else own.object_repr if own else f"#{object_id}"
    return render(
        request,
        "audit/object_history.html",
        {
            "page": page,
            "entries": _with_rows(list(page.object_list), object_type, object_id),
            "object_type": object_type,
            "object_id": object_id,
            "object_repr": f"{words.object_kind(object_type)} {name}".strip(),
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
