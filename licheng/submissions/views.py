"""Pages of submissions: readiness report (stored, recomputed on request) and history, starting a
build, one snapshot with its rosters, manifest and changes, and downloads (a roster, the whole
package streamed as a ZIP)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission, school_view
from licheng.files.views import content_disposition, file_response
from licheng.schools.models import School, Term
from licheng.schools.selectors import current_term
from licheng.submissions import readiness as readiness_report
from licheng.submissions import readiness_store, selectors, services
from licheng.submissions import rosters as R
from licheng.submissions.models import SubmittedRoster
from licheng.submissions.package import stream_package


def _school(request: HttpRequest) -> School:
    school: School = request.school  # type: ignore[attr-defined]
    return school


def _term(request: HttpRequest, school: School) -> Term | None:
    terms = Term.objects.filter(school=school).select_related("academic_year")
    wanted = request.GET.get("term") or request.POST.get("term")
    if wanted and wanted.isdigit():
        return get_object_or_404(terms, pk=int(wanted))
    return current_term(school) or terms.order_by("-starts_on").first()


FULL_IDS = "people.view_national_id"


def _may_download(request: HttpRequest) -> bool:
    """The rosters and the package carry full national IDs (the central database needs them): only
    roles that may see national IDs (the registry by default) download them."""
    return has_permission(request.user, _school(request), FULL_IDS)  # type: ignore[arg-type]


def _require_download(request: HttpRequest) -> None:
    if not _may_download(request):
        raise PermissionDenied


@school_view("submissions.view")
def index(request: HttpRequest) -> HttpResponse:
    """Readiness report for a term, the start button and the history."""
    school = _school(request)
    term = _term(request, school)
    report = None
    if term is not None:
        # The stored report, computed on the first view of the term and then on request: computing
        # it reads the whole school's submittable data (see readiness_store).
        report = readiness_store.stored_report(school, term) or services.readiness_recompute(
            actor=Actor.from_request(request), school=school, term=term
        )
    checks = readiness_store.from_json(report.checks) if report else []
    return render(
        request,
        "submissions/index.html",
        {
            "term": term,
            "report": report,
            "terms": Term.objects.filter(school=school).select_related("academic_year").order_by("-starts_on"),
            "checks": checks,
            "clean": readiness_report.is_clean(checks),
            "rosters": R.rosters_for_term(term.number) if term else [],
            "history": selectors.submissions_of(school)[:50],
            "can_submit": has_permission(request.user, school, "submissions.submit"),  # type: ignore[arg-type]
        },
    )


@require_POST
@school_view("submissions.view")
def recompute(request: HttpRequest) -> HttpResponse:
    """Compute the term's readiness report again from the current data."""
    school = _school(request)
    term = _term(request, school)
    if term is None:
        messages.error(request, _("Choose a term from the list."))
        return redirect("submissions:index")
    services.readiness_recompute(actor=Actor.from_request(request), school=school, term=term)
    messages.success(request, _("The readiness report was computed again from the current data."))
    return redirect(f"{reverse('submissions:index')}?term={term.pk}#readiness")


@require_POST
@school_view("submissions.submit")
def start(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    term = _term(request, school)
    if term is None:
        messages.error(request, _("Choose a term from the list."))
        return redirect("submissions:index")
    try:
        submission = services.submission_start(actor=Actor.from_request(request), school=school, term=term)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("submissions:index")
    messages.success(request, _("Submission #%(number)d is being built.") % {"number": submission.number})
    return redirect("submissions:detail", pk=submission.pk)


@school_view("submissions.view")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(selectors.submissions_of(_school(request)), pk=pk)
    rosters = SubmittedRoster.objects.filter(submission=submission).select_related("stored_file")
    changes = [
        {"code": code, "name": R.ROSTERS[code].name, **counts} for code, counts in (submission.changes or {}).items()
    ]
    template = "submissions/_progress.html" if request.headers.get("HX-Request") else "submissions/detail.html"
    return render(
        request,
        template,
        {"submission": submission, "rosters": rosters, "changes": changes, "can_download": _may_download(request)},
    )


@school_view("submissions.view")
def roster_download(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    _require_download(request)
    submission = get_object_or_404(selectors.submissions_of(_school(request)), pk=pk)
    roster: SubmittedRoster = get_object_or_404(
        SubmittedRoster.objects.select_related("stored_file"), submission=submission, code=code
    )
    return file_response(request, roster.stored_file, inline=False, download_name=roster.file_name)


@school_view("submissions.view")
def package(request: HttpRequest, pk: int) -> HttpResponse:
    _require_download(request)
    submission = get_object_or_404(selectors.submissions_of(_school(request)).filter(status="done"), pk=pk)
    response = StreamingHttpResponse(stream_package(submission), content_type="application/zip")
    name = (
        f"{submission.school.code}_{submission.term.academic_year.year}{submission.term.number}_{submission.number}.zip"
    )
    response["Content-Disposition"] = content_disposition("attachment", name)
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]
