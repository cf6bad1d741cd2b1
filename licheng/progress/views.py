"""Pages for the self-check list (執行檢核表) and the progress dashboards."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core import spreadsheets as sheets
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission, roles_of, school_view
from licheng.people.roles import Role
from licheng.progress import charts, data, services
from licheng.progress.forms import ItemForm, TickForm
from licheng.progress.models import ChecklistItem, Section, Status
from licheng.schedule.selectors import terms_of
from licheng.schools import rocdate
from licheng.schools.models import Term
from licheng.schools.selectors import current_term

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _term(request: HttpRequest, terms: list[Term]) -> Term | None:
    wanted = request.GET.get("term")
    if wanted:
        term = next((t for t in terms if str(t.pk) == wanted), None)
        if term is None:
            raise Http404
        return term
    return current_term(request.school)  # type: ignore[attr-defined]


def _office_label(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return code


# --- self-check list -----------------------------------------------------------------------------


def checklist_rows(term: Term, items: list[ChecklistItem]) -> list[dict[str, Any]]:
    """Each item with its progress: computed ``(done, out of)`` where the data shows it (each
    metric computed once per page), else the status its office set."""
    metrics = data.computed_metrics()
    computed: dict[str, tuple[int, int] | None] = {}
    today = timezone.localdate()
    rows = []
    for item in items:
        progress = None
        status = item.status
        if item.work_item in metrics:
            if item.work_item not in computed:
                computed[item.work_item] = metrics[item.work_item](term)
            progress = computed[item.work_item]
            if progress is None:
                status = Status.OPEN
            else:
                status = Status.DONE if progress[0] >= progress[1] else Status.IN_PROGRESS
        rows.append(
            {
                "item": item,
                "office": _office_label(item.office),
                "section": Section(item.section).label if item.section in Section.values else item.section,
                "status": Status(status),
                "progress": progress,
                "percent": round(100 * progress[0] / progress[1]) if progress and progress[1] else None,
                "computed": item.work_item in metrics,
                "overdue": status not in (Status.DONE, Status.NOT_APPLICABLE) and item.due_on < today,
            }
        )
    return rows


def _checklist_context(request: HttpRequest, term: Term | None) -> dict[str, Any]:
    school = request.school  # type: ignore[attr-defined]
    user = request.user
    items = list(ChecklistItem.objects.filter(school=school, term=term)) if term is not None else []
    rows = checklist_rows(term, items) if term is not None else []
    manages = has_permission(user, school, "progress.manage")  # type: ignore[arg-type]
    my_roles = roles_of(user, school) if has_permission(user, school, "progress.tick") else frozenset()  # type: ignore[arg-type]
    for row in rows:
        row["may_tick"] = manages or row["item"].office in my_roles
    return {"term": term, "rows": rows, "may_manage": manages, "statuses": Status.choices}


@school_view("progress.view")
def checklist(request: HttpRequest) -> HttpResponse:
    terms = list(terms_of(request.school))  # type: ignore[attr-defined]
    term = _term(request, terms)
    context = _checklist_context(request, term)
    context["terms"] = terms
    context["item_form"] = ItemForm()
    return render(request, "progress/checklist.html", context)


@school_view("progress.view")
def checklist_print(request: HttpRequest, term_pk: int) -> HttpResponse:
    term = get_object_or_404(terms_of(request.school), pk=term_pk)  # type: ignore[attr-defined]
    context = _checklist_context(request, term)
    context["printed_on"] = timezone.localdate()
    return render(request, "progress/checklist_print.html", context)


CHECKLIST_COLUMNS = (
    sheets.Column("section", "項目類別", gettext_lazy("section")),
    sheets.Column("title", "工作項目", gettext_lazy("work item")),
    sheets.Column("office", "負責單位", gettext_lazy("responsible office")),
    sheets.Column("due_on", "完成日期", gettext_lazy("due date")),
    sheets.Column("status", "執行情形", gettext_lazy("status")),
    sheets.Column("progress", "完成比例", gettext_lazy("share done")),
    sheets.Column("note", "備註", gettext_lazy("note")),
)


@school_view("progress.view")
def checklist_export(request: HttpRequest, term_pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    term = get_object_or_404(terms_of(school), pk=term_pk)
    rows = checklist_rows(term, list(ChecklistItem.objects.filter(school=school, term=term)))
    content = sheets.export_xlsx(
        _("Self-check %(term)s") % {"term": term.label},
        CHECKLIST_COLUMNS,
        (
            [
                str(r["section"]),
                r["item"].title,
                r["office"],
                rocdate.format_roc(r["item"].due_on),
                str(r["status"].label),
                f"{r['progress'][0]}/{r['progress'][1]} ({r['percent']}%)" if r["progress"] else "",
                r["item"].note,
            ]
            for r in rows
        ),
    )
    return _xlsx(content, f"licheng-self-check-{rocdate.term_code(term.academic_year.year, term.number)}.xlsx")


def _back(term_pk: int) -> HttpResponse:
    return redirect(f"{reverse('progress:checklist')}?term={term_pk}")


@require_POST
@school_view("progress.manage")
def checklist_generate(request: HttpRequest, term_pk: int) -> HttpResponse:
    term = get_object_or_404(terms_of(request.school), pk=term_pk)  # type: ignore[attr-defined]
    try:
        created = services.checklist_generate_from_schedule(actor=Actor.from_request(request), term=term)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(count)s items were added from the schedule.") % {"count": len(created)})
    return _back(term.pk)


@require_POST
@school_view("progress.manage")
def checklist_item_create(request: HttpRequest, term_pk: int) -> HttpResponse:
    term = get_object_or_404(terms_of(request.school), pk=term_pk)  # type: ignore[attr-defined]
    form = ItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Fill in the work item, the office and a due date."))
        return _back(term.pk)
    try:
        services.checklist_item_create(actor=Actor.from_request(request), term=term, **form.cleaned_data)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The item was added."))
    return _back(term.pk)


def _item(request: HttpRequest, pk: int) -> ChecklistItem:
    school = request.school  # type: ignore[attr-defined]
    return get_object_or_404(ChecklistItem.objects.filter(school=school).select_related("term__school"), pk=pk)


@require_POST
@school_view("progress.tick")
def checklist_item_tick(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = TickForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return _back(item.term_id)
    try:
        services.checklist_item_tick(
            actor=Actor.from_request(request),
            item=item,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The item was updated."))
    return _back(item.term_id)


@require_POST
@school_view("progress.manage")
def checklist_item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    try:
        services.checklist_item_delete(actor=Actor.from_request(request), item=item)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The item was removed."))
    return _back(item.term_id)


# --- dashboards ----------------------------------------------------------------------------------


def _grouping(request: HttpRequest) -> str:
    grouping = request.GET.get("by", "grade")
    if grouping not in data.GROUPINGS:
        raise Http404
    return grouping


@school_view("progress.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    terms = list(terms_of(request.school))  # type: ignore[attr-defined]
    term = _term(request, terms)
    grouping = _grouping(request)
    panels = []
    uncertified: list[dict[str, Any]] = []
    if term is not None:
        for series in data.series_list():
            sd = data.series_data(series, term, grouping)
            lines = sd.lines if grouping == "grade" else []
            lines = [(_("Whole school"), sd.cumulative, sd.total), *lines]
            panels.append(
                {
                    "data": sd,
                    "chart": charts.line_chart(
                        title=_("%(series)s over time, share done") % {"series": series.label},
                        days=sd.days,
                        lines=lines,
                        deadline=sd.deadline,
                        chart_id=f"chart-{series.key}",
                    ),
                    "groups": [
                        (label, done, total, round(100 * done / total) if total else None)
                        for label, done, total in sd.groups
                    ],
                }
            )
        uncertified = data.uncertified_by_teacher(term)
    return render(
        request,
        "progress/dashboard.html",
        {
            "terms": terms,
            "term": term,
            "grouping": grouping,
            "groupings": data.GROUPINGS.items(),
            "panels": panels,
            "uncertified": uncertified,
        },
    )


@school_view("progress.view")
def dashboard_export(request: HttpRequest, term_pk: int) -> HttpResponse:
    term = get_object_or_404(terms_of(request.school), pk=term_pk)  # type: ignore[attr-defined]
    grouping = _grouping(request)
    columns = (
        sheets.Column("series", "項目", _("series")),
        sheets.Column("group", "群組", _("group")),
        sheets.Column("done", "已完成", _("done")),
        sheets.Column("total", "應完成", _("out of")),
        sheets.Column("share", "完成比例(%)", _("share done (%)")),
        sheets.Column("deadline", "截止日", _("deadline")),
    )
    rows = []
    for series in data.series_list():
        sd = data.series_data(series, term, grouping)
        for label, done, total in sd.groups:
            rows.append(
                [
                    str(series.label),
                    label,
                    done,
                    total,
                    round(100 * done / total) if total else "",
                    rocdate.format_roc(sd.deadline) if sd.deadline else "",
                ]
            )
    content = sheets.export_xlsx(_("Progress"), columns, rows)
    code = rocdate.term_code(term.academic_year.year, term.number)
    return _xlsx(content, f"licheng-progress-{code}-{grouping}.xlsx")


@school_view("progress.view")
def uncertified_export(request: HttpRequest, term_pk: int) -> HttpResponse:
    term = get_object_or_404(terms_of(request.school), pk=term_pk)  # type: ignore[attr-defined]
    return _uncertified_xlsx(term, data.uncertified_by_teacher(term))


def _uncertified_xlsx(term: Term, uncertified: list[dict[str, Any]]) -> HttpResponse:
    columns = (
        sheets.Column("teacher", "任課教師", _("teacher")),
        sheets.Column("course", "課程", _("course")),
        sheets.Column("pending", "待認證件數", _("awaiting certification")),
    )
    rows = [[str(row["teacher"]), course, count] for row in uncertified for course, count in row["courses"]]
    content = sheets.export_xlsx(_("Awaiting certification"), columns, rows)
    code = rocdate.term_code(term.academic_year.year, term.number)
    return _xlsx(content, f"licheng-uncertified-{code}.xlsx")


# --- the homeroom teacher's report on their own class ---------------------------------------------


def _homeroom_classes(request: HttpRequest, term: Term) -> list[Any]:
    """The classes the user is homeroom teacher of in ``term``'s year; 403 for anyone else."""
    from licheng.schools.models import SchoolClass

    school, user = request.school, request.user  # type: ignore[attr-defined]
    if Role.HOMEROOM_TEACHER not in roles_of(user, school):  # type: ignore[arg-type]
        raise PermissionDenied
    return list(
        SchoolClass.objects.filter(
            school=school, homeroom_teacher_id=user.pk, academic_year_id=term.academic_year_id
        ).order_by("grade", "name")
    )


@school_view()
def my_class_uncertified(request: HttpRequest) -> HttpResponse:
    """For a homeroom teacher: which teacher has not yet certified the course outcomes of their class."""
    terms = list(terms_of(request.school))  # type: ignore[attr-defined]
    term = _term(request, terms)
    if Role.HOMEROOM_TEACHER not in roles_of(request.user, request.school):  # type: ignore[arg-type,attr-defined]
        raise PermissionDenied
    classes = _homeroom_classes(request, term) if term is not None else []
    rows = data.uncertified_by_teacher(term, [c.pk for c in classes]) if term is not None and classes else []
    return render(
        request,
        "progress/my_class_uncertified.html",
        {"terms": terms, "term": term, "classes": classes, "uncertified": rows},
    )


@school_view()
def my_class_uncertified_export(request: HttpRequest, term_pk: int) -> HttpResponse:
    term = get_object_or_404(terms_of(request.school), pk=term_pk)  # type: ignore[attr-defined]
    classes = _homeroom_classes(request, term)
    return _uncertified_xlsx(term, data.uncertified_by_teacher(term, [c.pk for c in classes]) if classes else [])
