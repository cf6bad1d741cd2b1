"""The pre-check roster page (預檢_修課紀錄名冊): pick a term, see what still blocks the roster, download it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission, school_view
from licheng.records import rosters
from licheng.records.views import _xlsx
from licheng.schools.models import Term
from licheng.schools.selectors import current_term


def _terms(request: HttpRequest) -> list[Term]:
    school = request.school  # type: ignore[attr-defined]
    return list(Term.objects.filter(school=school).select_related("academic_year")[:40])


def _chosen(request: HttpRequest, terms: list[Term]) -> Term | None:
    """The term asked for; without one, the current term (not next term's, which has no grades yet)."""
    wanted = request.GET.get("term", "")
    for term in terms:
        if str(term.pk) == wanted or rosters.term_label(term) == wanted:
            return term
    if wanted or not terms:
        return None
    current = current_term(request.school)  # type: ignore[attr-defined]
    return next((term for term in terms if current is not None and term.pk == current.pk), terms[0])


def _page(request: HttpRequest, terms: list[Term], term: Term | None, problems: list[str], count: int) -> HttpResponse:
    return render(
        request,
        "records/precheck_roster.html",
        {
            "terms": terms,
            "term": term,
            "problems": problems,
            "count": count,
            "roster_name": rosters.PRECHECK_ROSTER_NAME,
            "can_download": may_download_full_ids(request),
        },
    )


def may_download_full_ids(request: HttpRequest) -> bool:
    """The pre-check roster carries full national IDs: only roles that may see them download it."""
    return has_permission(request.user, request.school, "people.view_national_id")  # type: ignore[arg-type, attr-defined]


@school_view("records.view_grades")
def precheck_roster(request: HttpRequest) -> HttpResponse:
    terms = _terms(request)
    term = _chosen(request, terms)
    roster = rosters.precheck_rows(request.school, term) if term else None  # type: ignore[attr-defined]
    return _page(request, terms, term, roster.problems if roster else [], len(roster.rows) if roster else 0)


@school_view("records.view_grades")
def precheck_roster_export(request: HttpRequest) -> HttpResponse:
    if not may_download_full_ids(request):
        raise PermissionDenied  # the roster carries full national IDs
    terms = _terms(request)
    term = _chosen(request, terms)
    if term is None:
        return _page(request, terms, None, [], 0)
    try:
        content = rosters.precheck_workbook(request.school, term)  # type: ignore[attr-defined]
    except ServiceError:
        roster = rosters.precheck_rows(request.school, term)  # type: ignore[attr-defined]
        return _page(request, terms, term, roster.problems, len(roster.rows))
    name = f"precheck-{request.school.code}-{term.academic_year.year}{term.number}.xlsx"  # type: ignore[attr-defined]
    return _xlsx(content, name)
