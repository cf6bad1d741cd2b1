"""``/api/v1/portfolio``: course outcomes under the same rules as the pages."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from licheng.api.auth import require
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.files.upload import upload_route
from licheng.people.models import Student, User
from licheng.portfolio import export, selectors, services
from licheng.portfolio.models import (
    CourseOutcome,
    CourseOutcomeVersion,
    ExportStatus,
    PortfolioExport,
    VersionState,
)
from licheng.portfolio.views import _file_limit
from licheng.schools.api import ErrorOut, error_out
from licheng.schools.selectors import current_term

router = Router(tags=["portfolio"])
MAX_FILES = 5


class FileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class VersionOut(Schema):
    id: int
    number: int
    description: str
    state: str
    decided_at: datetime.datetime | None
    decided_by: str | None
    on_behalf_of: str | None
    reason_code: str | None
    reason: str | None
    reason_text: str
    files: list[FileOut]

    @staticmethod
    def of(version: CourseOutcomeVersion) -> VersionOut:
        return VersionOut(
            id=version.pk,
            number=version.number,
            description=version.description,
            state=version.state,
            decided_at=version.decided_at,
            decided_by=str(version.decided_by) if version.decided_by else None,
            on_behalf_of=str(version.decided_on_behalf_of) if version.decided_on_behalf_of else None,
            reason_code=version.reason.code if version.reason else None,
            reason=version.reason.label if version.reason else None,
            reason_text=version.reason_text,
            files=[
                FileOut(
                    id=f.pk,
                    name=f.stored_file.original_name,
                    content_type=f.stored_file.content_type,
                    size=f.stored_file.size,
                )
                for f in version.outcome_files.all()
            ],
        )


class OutcomeOut(Schema):
    id: int
    student_id: int
    student_name: str
    course_id: int
    subject_name: str
    term: str
    withdrawn: bool
    selected: bool
    current: VersionOut | None
    certified_version: int | None
    versions: list[VersionOut]

    @staticmethod
    def of(outcome: CourseOutcome) -> OutcomeOut:
        versions = sorted(outcome.versions.all(), key=lambda v: v.number)
        certified = selectors.certified_version(outcome)
        return OutcomeOut(
            id=outcome.pk,
            student_id=outcome.student_id,
            student_name=outcome.student.name,
            course_id=outcome.course_id,
            subject_name=outcome.course.subject_name,
            term=outcome.term.label,
            withdrawn=outcome.withdrawn_at is not None,
            selected=bool(list(outcome.selections.all())),
            current=VersionOut.of(versions[-1]) if versions else None,
            certified_version=certified.number if certified else None,
            versions=[VersionOut.of(v) for v in versions],
        )


class QueueItemOut(Schema):
    version_id: int
    outcome_id: int
    student_name: str
    class_name: str | None
    course_id: int
    subject_name: str
    version: int
    description: str
    state: str
    files: list[FileOut]


class CountersOut(Schema):
    term: str | None
    term_uploaded: int
    term_cap: int
    year_uploaded: int
    year_cap: int
    selected: int
    selected_cap: int


class DecisionIn(Schema):
    passed: bool
    reason_code: str | None = None
    reason_text: str = ""


class PassManyIn(Schema):
    version_ids: list[int]


class PassManyOut(Schema):
    passed: int
    problems: list[str]


class ReasonOut(Schema):
    code: str
    label: str
    requires_text: bool


def _student(request: HttpRequest) -> Student:
    student = selectors.student_of(request.user, request.school)  # type: ignore[arg-type,attr-defined]
    if student is None:
        raise HttpError(404, _("You have no student profile in this school."))
    return student


def _visible(request: HttpRequest, outcome_id: int) -> CourseOutcome:
    user: User = request.user  # type: ignore[assignment]
    return get_object_or_404(
        selectors.with_details(selectors.outcomes_visible_to(user, request.school)),  # type: ignore[attr-defined]
        pk=outcome_id,
    )


def _own(request: HttpRequest, outcome_id: int) -> CourseOutcome:
    outcome = _visible(request, outcome_id)
    if outcome.student.user_id != request.user.pk:
        raise HttpError(404, _("Not found."))
    return outcome


@router.get("/outcomes", response=list[OutcomeOut], url_name="portfolio_outcome_list")
def outcome_list(request: HttpRequest) -> list[OutcomeOut]:
    """The caller's own course outcomes (students)."""
    require(request)
    student = _student(request)
    outcomes = selectors.with_details(
        CourseOutcome.objects.filter(school=request.school, student=student)  # type: ignore[attr-defined]
    ).order_by("-term__starts_on", "course__subject_name", "pk")
    return [OutcomeOut.of(o) for o in outcomes]


@router.post("/outcomes", response={201: OutcomeOut, 422: ErrorOut}, url_name="portfolio_outcome_upload")
@upload_route("api-v1:portfolio_outcome_upload", _file_limit, files_allowed=MAX_FILES)
def outcome_upload(
    request: HttpRequest,
    course_id: Form[int],
    description: Form[str],
    files: list[UploadedFile] = File(...),  # noqa: B008
) -> Status[OutcomeOut] | Status[ErrorOut]:
    """Upload a course outcome (multipart: ``course_id``, ``description``, one or more ``files``)."""
    require(request)
    student = _student(request)
    course = selectors.uploadable_courses(student, list(_terms_of(student))).filter(pk=course_id).first()
    try:
        if course is None:
            raise ServiceError(_("You are not enrolled in this course."), field="course")
        if len(files) > MAX_FILES:
            raise ServiceError(_("Upload at most %(count)d files at a time.") % {"count": MAX_FILES}, field="files")
        outcome = services.course_outcome_upload(
            actor=Actor.from_request(request), student=student, course=course, description=description, uploads=files
        )
    except ServiceError as error:
        return error_out(error)
    return Status(201, OutcomeOut.of(_visible(request, outcome.pk)))


def _terms_of(student: Student) -> list:  # type: ignore[type-arg]
    from licheng.schools.models import Term

    return list(Term.objects.filter(school_id=student.school_id))


@router.get("/outcomes/{outcome_id}", response=OutcomeOut, url_name="portfolio_outcome_detail")
def outcome_detail(request: HttpRequest, outcome_id: int) -> OutcomeOut:
    require(request)
    return OutcomeOut.of(_visible(request, outcome_id))


@router.post(
    "/outcomes/{outcome_id}/withdraw", response={204: None, 422: ErrorOut}, url_name="portfolio_outcome_withdraw"
)
def outcome_withdraw(request: HttpRequest, outcome_id: int) -> Status[None] | Status[ErrorOut]:
    require(request)
    outcome = _own(request, outcome_id)
    try:
        services.course_outcome_withdraw(actor=Actor.from_request(request), outcome=outcome)
    except ServiceError as error:
        return error_out(error)
    return Status(204, None)


@router.post(
    "/outcomes/{outcome_id}/selection", response={204: None, 422: ErrorOut}, url_name="portfolio_outcome_selection"
)
def outcome_select(request: HttpRequest, outcome_id: int) -> Status[None] | Status[ErrorOut]:
    """Select a certified course outcome for this academic year (caps enforced under concurrency)."""
    require(request)
    outcome = _own(request, outcome_id)
    try:
        services.course_outcome_select(actor=Actor.from_request(request), outcome=outcome)
    except ServiceError as error:
        return error_out(error)
    return Status(204, None)


@router.delete(
    "/outcomes/{outcome_id}/selection", response={204: None, 422: ErrorOut}, url_name="portfolio_outcome_selection"
)
def outcome_unselect(request: HttpRequest, outcome_id: int) -> Status[None] | Status[ErrorOut]:
    require(request)
    outcome = _own(request, outcome_id)
    try:
        services.course_outcome_unselect(actor=Actor.from_request(request), outcome=outcome)
    except ServiceError as error:
        return error_out(error)
    return Status(204, None)


@router.get("/counters", response=CountersOut, url_name="portfolio_counters")
def counters(request: HttpRequest) -> CountersOut:
    """Uploaded this term / year and selected this year, against the school's caps."""
    require(request)
    student = _student(request)
    term = current_term(request.school)  # type: ignore[attr-defined]
    if term is None:
        return CountersOut(
            term=None, term_uploaded=0, term_cap=0, year_uploaded=0, year_cap=0, selected=0, selected_cap=0
        )
    c = selectors.counters_for(student, term)
    return CountersOut(
        term=term.label,
        term_uploaded=c.term_uploaded,
        term_cap=c.term_cap,
        year_uploaded=c.year_uploaded,
        year_cap=c.year_cap,
        selected=c.selected,
        selected_cap=c.selected_cap,
    )


@router.get("/queue", response=list[QueueItemOut], url_name="portfolio_queue")
def queue(request: HttpRequest, state: str = VersionState.PENDING, course_id: int | None = None) -> list[QueueItemOut]:
    """The current versions in ``state`` of the courses the caller teaches or certifies for as a proxy."""
    require(request)
    if state not in VersionState.values:
        raise HttpError(422, _("Unknown state."))
    versions = selectors.queue_for(request.user, request.school, state=state, course_id=course_id)  # type: ignore[arg-type,attr-defined]
    return [
        QueueItemOut(
            version_id=v.pk,
            outcome_id=v.outcome_id,
            student_name=v.outcome.student.name,
            class_name=v.outcome.student.school_class.name if v.outcome.student.school_class else None,
            course_id=v.outcome.course_id,
            subject_name=v.outcome.course.subject_name,
            version=v.number,
            description=v.description,
            state=v.state,
            files=VersionOut.of(v).files,
        )
        for v in versions
    ]


def _certifiable(request: HttpRequest, version_id: int) -> CourseOutcomeVersion:
    user: User = request.user  # type: ignore[assignment]
    school = request.school  # type: ignore[attr-defined]
    return get_object_or_404(
        CourseOutcomeVersion.objects.select_related("outcome__student"),
        pk=version_id,
        school=school,
        outcome__course_id__in=list(selectors.certifier_map(user, school)),
    )


@router.post("/versions/{version_id}/decision", response={200: VersionOut, 422: ErrorOut}, url_name="portfolio_decide")
def decide(request: HttpRequest, version_id: int, payload: DecisionIn) -> Status[VersionOut] | Status[ErrorOut]:
    """Pass, or not pass with a ``reason_code`` from the school's table. Certification confirms
    authorship and course; it never grades quality."""
    require(request)
    version = _certifiable(request, version_id)
    school = request.school  # type: ignore[attr-defined]
    services.ensure_default_reasons(school)
    reason = None
    if not payload.passed:
        reason = selectors.reasons_of(school).filter(code=payload.reason_code or "").first()
    try:
        decided = services.course_outcome_decide(
            actor=Actor.from_request(request),
            version=version,
            passed=payload.passed,
            reason=reason,
            reason_text=payload.reason_text,
        )
    except ServiceError as error:
        return error_out(error)
    decided = CourseOutcomeVersion.objects.select_related("decided_by", "decided_on_behalf_of", "reason").get(
        pk=decided.pk
    )
    return Status(200, VersionOut.of(decided))


@router.post("/versions/pass", response=PassManyOut, url_name="portfolio_pass_many")
def pass_many(request: HttpRequest, payload: PassManyIn) -> PassManyOut:
    """Pass many versions at once; each passes or is reported on its own."""
    require(request)
    user: User = request.user  # type: ignore[assignment]
    school = request.school  # type: ignore[attr-defined]
    versions = list(
        CourseOutcomeVersion.objects.filter(
            school=school,
            pk__in=payload.version_ids,
            outcome__course_id__in=list(selectors.certifier_map(user, school)),
        ).select_related("outcome__student")
    )
    if len(versions) != len(set(payload.version_ids)):
        raise HttpError(404, _("Not found."))
    passed, problems = services.course_outcome_pass_many(actor=Actor.from_request(request), versions=versions)
    return PassManyOut(passed=passed, problems=problems)


@router.get("/reasons", response=list[ReasonOut], url_name="portfolio_reasons")
def reasons(request: HttpRequest) -> list[ReasonOut]:
    """The school's reasons for not passing."""
    require(request)
    school = request.school  # type: ignore[attr-defined]
    services.ensure_default_reasons(school)
    return [ReasonOut(code=r.code, label=r.label, requires_text=r.requires_text) for r in selectors.reasons_of(school)]


# --- personal export ------------------------------------------------------------------------------


class ExportIn(Schema):
    student_id: int | None = None


class ExportOut(Schema):
    id: int
    student_id: int
    status: str
    status_label: str
    progress_done: int
    progress_total: int
    percent: int
    size: int
    sha256: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    expires_at: datetime.datetime
    download_url: str | None
    summary_url: str | None

    @staticmethod
    def of(row: PortfolioExport) -> ExportOut:
        ready = row.status == ExportStatus.DONE and not row.is_expired
        return ExportOut(
            id=row.pk,
            student_id=row.student_id,
            status=row.status,
            status_label=str(row.get_status_display()),
            progress_done=row.progress_done,
            progress_total=row.progress_total,
            percent=row.percent,
            size=row.size,
            sha256=row.sha256,
            created_at=row.created_at,
            finished_at=row.finished_at,
            expires_at=row.expires_at,
            download_url=reverse("api-v1:portfolio_export_download", args=[row.pk]) if ready else None,
            summary_url=reverse("portfolio:export_summary", args=[row.pk]) if ready else None,
        )


@router.post("/exports", response={202: ExportOut, 422: ErrorOut}, url_name="portfolio_export_request")
def export_request(request: HttpRequest, payload: ExportIn) -> Status[ExportOut] | Status[ErrorOut]:
    """Ask for a ZIP of a whole portfolio (your own, or ``student_id``'s: your child's, or anyone's with
    ``portfolio.view_all``). Built in the background: poll ``GET /exports/{id}`` until ``done``."""
    require(request)
    school = request.school  # type: ignore[attr-defined]
    user: User = request.user  # type: ignore[assignment]
    students = export.exportable_students(user, school).select_related("school")
    if payload.student_id is None:
        student = students.filter(user=user).first()
    else:
        student = students.filter(pk=payload.student_id).first()
    if student is None:
        raise HttpError(404, _("Not found."))
    try:
        row = export.portfolio_export_request(actor=Actor.from_request(request), student=student)
    except ServiceError as error:
        return error_out(error)
    row.refresh_from_db()
    return Status(202, ExportOut.of(row))


def _visible_export(request: HttpRequest, export_id: int) -> PortfolioExport:
    return get_object_or_404(
        export.exports_visible_to(request.user, request.school),  # type: ignore[arg-type,attr-defined]
        pk=export_id,
    )


@router.get("/exports/{export_id}", response=ExportOut, url_name="portfolio_export_detail")
def export_detail(request: HttpRequest, export_id: int) -> ExportOut:
    """An export's status and progress; ``download_url`` once it is ready."""
    require(request)
    return ExportOut.of(_visible_export(request, export_id))


@router.get("/exports/{export_id}/download", url_name="portfolio_export_download", response={200: None})
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    """The ZIP (``application/zip``), while the export is ready and not expired; else 404."""
    require(request)
    row = _visible_export(request, export_id)
    from licheng.portfolio.student_views import download_response

    response = download_response(row, row.file, ".zip", "application/zip")
    response["X-Content-SHA256"] = row.sha256
    return response
