"""``/api/v1/performances``: the caller's performances, selection with counters, writings and reviews.

Files come as ``multipart/form-data`` exactly as on the pages: streamed to disk with the school's
size limit (reading stops at the first byte over it), then the same content checks, caps and window
in the same service functions. ``POST /mine`` takes JSON (no files) or multipart (``kind``,
``description``, ``external_link``, ``fields`` as a JSON object, and ``files`` repeated);
``POST /mine/{id}/files`` adds files and ``DELETE /mine/{id}/files/{file_id}`` removes one.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ValidationError

from licheng.api.auth import forbidden, require
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.files.upload import UploadRefused, limit_upload, upload_route
from licheng.people.models import Student
from licheng.performances import selectors, services, windows
from licheng.performances.kinds import KINDS
from licheng.performances.models import Performance, Writing, WritingKind
from licheng.performances.writings import SECTIONS
from licheng.schools.api import ErrorOut, error_out
from licheng.schools.models import AcademicYear, School, Term
from licheng.schools.selectors import current_term, rules_for

router = Router(tags=["performances"])


class FileOut(Schema):
    id: int
    name: str
    size: int


class PerformanceOut(Schema):
    id: int
    academic_year: int
    kind: int
    kind_label: str
    description: str
    external_link: str
    fields: dict[str, Any]
    staff_verified: bool
    office: str
    selected: bool
    files: list[FileOut]

    @staticmethod
    def of(p: Performance) -> PerformanceOut:
        return PerformanceOut(
            id=p.pk,
            academic_year=p.academic_year.year,
            kind=p.kind,
            kind_label=str(p.get_kind_display()),
            description=p.description,
            external_link=p.external_link,
            fields=p.fields,
            staff_verified=p.is_staff_verified,
            office=p.office,
            selected=hasattr(p, "selection"),
            files=[
                FileOut(id=f.stored_file_id, name=f.stored_file.original_name, size=f.stored_file.size)
                for f in p.performance_files.all()
            ],
        )


class PerformanceIn(Schema):
    kind: int
    description: str
    external_link: str = ""
    fields: dict[str, Any] = {}


class CountersOut(Schema):
    academic_year: int
    uploaded: int
    upload_cap: int
    selected: int
    selection_cap: int
    upload_open: bool
    selection_open: bool


class CodeOut(Schema):
    code: str
    label: str


class KindFieldOut(Schema):
    key: str
    label: str
    type: str
    required: bool
    table: str
    choices: list[CodeOut]


class KindOut(Schema):
    kind: int
    label: str
    fields: list[KindFieldOut]


class CodesOut(Schema):
    kinds: list[KindOut]
    tables: dict[str, list[CodeOut]]


class WritingOut(Schema):
    id: int | None
    term: str
    kind: str
    sections: dict[str, str]
    attachment: FileOut | None
    reviews: list[dict[str, Any]]


class WritingIn(Schema):
    sections: dict[str, str]


class ReviewIn(Schema):
    role: str
    comment: str = ""
    checked: bool = True


def _school(request: HttpRequest) -> School:
    require(request)
    return request.school  # type: ignore[attr-defined, no-any-return]


def _me(request: HttpRequest) -> Student:
    student = selectors.own_student(request.user, _school(request))  # type: ignore[arg-type]
    if student is None:
        raise forbidden()
    return student


def _year(school: School, year: int | None) -> AcademicYear:
    if year is not None:
        found = AcademicYear.objects.filter(school=school, year=year).first()
    else:
        term = current_term(school)
        found = term.academic_year if term else None
    if found is None:
        raise HttpError(404, "Not Found")
    return found


def _mine(request: HttpRequest, performance_id: int) -> Performance:
    student = _me(request)
    performance = (
        selectors.with_files(Performance.objects.filter(student=student, withdrawn_at__isnull=True))
        .filter(pk=performance_id)
        .first()
    )
    if performance is None:
        raise HttpError(404, "Not Found")
    return performance


def _counters(school: School, student: Student, academic_year: AcademicYear) -> CountersOut:
    rules = rules_for(school, academic_year)
    return CountersOut(
        academic_year=academic_year.year,
        uploaded=selectors.uploaded_count(student, academic_year),
        upload_cap=rules.performances_per_year,
        selected=selectors.selected_count(student, academic_year),
        selection_cap=rules.performances_selected,
        upload_open=windows.upload_open(school, academic_year),
        selection_open=windows.selection_open(school, academic_year),
    )


@router.get("/codes", response=CodesOut, url_name="performances_codes")
def codes(request: HttpRequest) -> CodesOut:
    """The ten kinds with their fields, and the school's code tables."""
    school = _school(request)
    tables = selectors.codes_for(school)
    return CodesOut(
        kinds=[
            KindOut(
                kind=kind,
                label=spec.label,
                fields=[
                    KindFieldOut(
                        key=f.key,
                        label=str(f.label),
                        type=f.type,
                        required=f.required,
                        table=f.table,
                        choices=[CodeOut(code=c, label=str(lbl)) for c, lbl in f.choices],
                    )
                    for f in spec.fields
                ],
            )
            for kind, spec in KINDS.items()
        ],
        tables={t: [CodeOut(code=c, label=lbl) for c, lbl in rows.items()] for t, rows in tables.items()},
    )


@router.get("/mine", response=list[PerformanceOut], url_name="performances_mine")
def my_performances(request: HttpRequest, year: int | None = None) -> list[PerformanceOut]:
    """The caller's performances of ``year`` (ROC academic year; default the current one)."""
    student = _me(request)
    academic_year = _year(student.school, year)
    return [PerformanceOut.of(p) for p in selectors.performances_of(student, academic_year)]


def _file_limit(school: School) -> int:
    """The largest file the school accepts now (each file's own kind limit is checked when stored)."""
    term = current_term(school)
    rules = rules_for(school, term.academic_year if term else None)
    return max(rules.document_max_mb, rules.media_max_mb) * 1024 * 1024


def _request_file_limit(request: HttpRequest) -> int:
    return _file_limit(request.school)  # type: ignore[attr-defined]


class _TooLarge(ServiceError):
    """A file (or the whole body) over the limit: answered 413."""


def _multipart_files(
    request: HttpRequest,
    school: School,
    *,
    name: str = "files",
    files_allowed: int = services.MAX_FILES_PER_PERFORMANCE,
) -> list[Any]:
    """Read a multipart body with the pages' limits; _TooLarge when over them."""
    try:
        limit_upload(request, _file_limit(school), files_allowed=files_allowed)
    except UploadRefused as error:
        raise _TooLarge(error.message, field=name) from None
    return request.FILES.getlist(name)


def _is_multipart(request: HttpRequest) -> bool:
    return (request.content_type or "").startswith("multipart/form-data")


_CREATE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": PerformanceIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["kind", "description"],
                    "properties": {
                        "kind": {"type": "integer"},
                        "description": {"type": "string"},
                        "external_link": {"type": "string"},
                        "fields": {"type": "string", "description": "the kind's fields as a JSON object"},
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            },
        },
    }
}
_FILES_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                }
            }
        },
    }
}


def _payload(request: HttpRequest) -> tuple[PerformanceIn, list[Any]]:
    """The performance and its files from a JSON or a multipart body."""
    school = _school(request)
    if _is_multipart(request):
        files = _multipart_files(request, school)
        raw_fields = request.POST.get("fields") or "{}"
        try:
            fields = json.loads(raw_fields)
        except ValueError:
            raise ServiceError(_("The fields must be a JSON object."), field="fields") from None
        data: Any = {
            "kind": request.POST.get("kind"),
            "description": request.POST.get("description", ""),
            "external_link": request.POST.get("external_link", ""),
            "fields": fields,
        }
    else:
        files = []
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise ServiceError(_("The request body must be JSON or multipart form data.")) from None
    try:
        return PerformanceIn.model_validate(data), files
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else None
        raise ServiceError(_("Check this field: %(field)s.") % {"field": field or "?"}, field=field) from None


@router.post(
    "/mine",
    response={201: PerformanceOut, 413: ErrorOut, 422: ErrorOut},
    url_name="performances_create",
    openapi_extra=_CREATE_BODY,
)
@upload_route("api-v1:performances_create", _request_file_limit, files_allowed=services.MAX_FILES_PER_PERFORMANCE)
def performance_create(request: HttpRequest) -> Status[Any]:
    """Add a performance: JSON without files, or multipart with ``files`` (same checks as the pages)."""
    school = _school(request)
    _me(request)
    try:
        payload, files = _payload(request)
        performance = services.performance_create(
            actor=Actor.from_request(request),
            school=school,
            kind=payload.kind,
            description=payload.description,
            external_link=payload.external_link,
            fields=payload.fields,
            uploads=files,
        )
    except ServiceError as error:
        return _refused(request, error)
    return Status(201, PerformanceOut.of(selectors.with_files(Performance.objects.filter(pk=performance.pk)).get()))


def _refused(request: HttpRequest, error: ServiceError) -> Status[Any]:
    if isinstance(error, _TooLarge):
        return Status(413, ErrorOut(message=error.message, field=error.field))
    return error_out(error)


@router.post(
    "/mine/{performance_id}/files",
    response={200: PerformanceOut, 413: ErrorOut, 422: ErrorOut},
    url_name="performances_add_files",
    openapi_extra=_FILES_BODY,
)
@upload_route("api-v1:performances_add_files", _request_file_limit, files_allowed=services.MAX_FILES_PER_PERFORMANCE)
def performance_add_files(request: HttpRequest, performance_id: int) -> Status[Any]:
    """Add files (multipart ``files``) to one of your performances, in the upload window."""
    school = _school(request)
    performance = _mine(request, performance_id)
    try:
        if not _is_multipart(request):
            raise ServiceError(_("Send the files as multipart form data."), field="files")
        files = _multipart_files(request, school)
        if not files:
            raise ServiceError(_("Choose at least one file."), field="files")
        services.performance_update(
            actor=Actor.from_request(request),
            school=school,
            performance=performance,
            description=performance.description,
            external_link=performance.external_link,
            fields=performance.fields,
            uploads=files,
        )
    except ServiceError as error:
        return _refused(request, error)
    return Status(200, PerformanceOut.of(_mine(request, performance_id)))


@router.delete(
    "/mine/{performance_id}/files/{file_id}",
    response={200: PerformanceOut, 422: ErrorOut},
    url_name="performances_remove_file",
)
def performance_remove_file(request: HttpRequest, performance_id: int, file_id: int) -> Status[Any]:
    """Remove one file (its ``id`` in ``files``) from one of your performances."""
    school = _school(request)
    performance = _mine(request, performance_id)
    if not any(f.stored_file_id == file_id for f in performance.performance_files.all()):
        raise HttpError(404, "Not Found")
    try:
        services.performance_update(
            actor=Actor.from_request(request),
            school=school,
            performance=performance,
            description=performance.description,
            external_link=performance.external_link,
            fields=performance.fields,
            remove_file_ids=[file_id],
        )
    except ServiceError as error:
        return error_out(error)
    return Status(200, PerformanceOut.of(_mine(request, performance_id)))


@router.post(
    "/mine/{performance_id}/withdraw", response={200: PerformanceOut, 422: ErrorOut}, url_name="performances_withdraw"
)
def performance_withdraw(request: HttpRequest, performance_id: int) -> Any:
    performance = _mine(request, performance_id)
    try:
        services.performance_withdraw(
            actor=Actor.from_request(request), school=_school(request), performance=performance
        )
    except ServiceError as error:
        return error_out(error)
    return PerformanceOut.of(performance)


@router.get("/selection", response=CountersOut, url_name="performances_selection")
def selection_counters(request: HttpRequest, year: int | None = None) -> CountersOut:
    student = _me(request)
    school = _school(request)
    return _counters(school, student, _year(school, year))


@router.post(
    "/mine/{performance_id}/select", response={200: CountersOut, 422: ErrorOut}, url_name="performances_select"
)
def performance_select(request: HttpRequest, performance_id: int) -> Any:
    performance = _mine(request, performance_id)
    school = _school(request)
    try:
        services.performance_select(actor=Actor.from_request(request), school=school, performance=performance)
    except ServiceError as error:
        return error_out(error)
    return _counters(school, performance.student, performance.academic_year)


@router.delete(
    "/mine/{performance_id}/select", response={200: CountersOut, 422: ErrorOut}, url_name="performances_unselect"
)
def performance_unselect(request: HttpRequest, performance_id: int) -> Any:
    performance = _mine(request, performance_id)
    school = _school(request)
    try:
        services.performance_unselect(actor=Actor.from_request(request), school=school, performance=performance)
    except ServiceError as error:
        return error_out(error)
    return _counters(school, performance.student, performance.academic_year)


def _writing_out(term: Term, kind: str, writing: Writing | None) -> WritingOut:
    return WritingOut(
        id=writing.pk if writing else None,
        term=term.label,
        kind=kind,
        sections={key: (writing.sections.get(key, "") if writing else "") for key, _label in SECTIONS[kind]},
        attachment=FileOut(
            id=writing.attachment.pk, name=writing.attachment.original_name, size=writing.attachment.size
        )
        if writing and writing.attachment
        else None,
        reviews=[
            {
                "role": r.role,
                "reviewer": str(r.reviewer),
                "comment": r.comment,
                "checked": r.checked_at is not None,
            }
            for r in (writing.reviews.all() if writing else [])
        ],
    )


@router.get("/writings", response=list[WritingOut], url_name="performances_writings")
def my_writings(request: HttpRequest) -> list[WritingOut]:
    """The caller's reflection, autobiography and study plan for the current term."""
    student = _me(request)
    term = current_term(_school(request))
    if term is None:
        return []
    writings = selectors.writings_of(student, term)
    return [_writing_out(term, kind.value, writings.get(kind.value)) for kind in WritingKind]


@router.put("/writings/{kind}", response={200: WritingOut, 422: ErrorOut}, url_name="performances_writing_put")
def writing_put(request: HttpRequest, kind: str, payload: WritingIn) -> Any:
    student = _me(request)
    school = _school(request)
    try:
        writing = services.writing_save(
            actor=Actor.from_request(request), school=school, kind=kind, sections=payload.sections
        )
    except ServiceError as error:
        return error_out(error)
    return _writing_out(writing.term, kind, selectors.writings_of(student, writing.term)[kind])


_ATTACHMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["attachment"],
                    "properties": {"attachment": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/writings/{kind}/attachment",
    response={200: WritingOut, 413: ErrorOut, 422: ErrorOut},
    url_name="performances_writing_attachment",
    openapi_extra=_ATTACHMENT_BODY,
)
@upload_route("api-v1:performances_writing_attachment", _request_file_limit)
def writing_attachment(request: HttpRequest, kind: str) -> Status[Any]:
    """Attach a file (multipart ``attachment``) to this term's writing of ``kind``, replacing the
    one it had; the text stays as it is. Same checks and limits as the page."""
    student = _me(request)
    school = _school(request)
    try:
        if not _is_multipart(request):
            raise ServiceError(_("Send the files as multipart form data."), field="attachment")
        files = _multipart_files(request, school, name="attachment", files_allowed=1)
        if len(files) != 1:
            raise ServiceError(_("Choose at least one file."), field="attachment")
        term = current_term(school)
        existing = selectors.writings_of(student, term).get(kind) if term else None
        writing = services.writing_save(
            actor=Actor.from_request(request),
            school=school,
            kind=kind,
            sections=existing.sections if existing else {},
            attachment=files[0],
        )
    except ServiceError as error:
        return _refused(request, error)
    return Status(200, _writing_out(writing.term, kind, selectors.writings_of(student, writing.term)[kind]))


@router.post(
    "/writings/{writing_id}/reviews", response={200: WritingOut, 422: ErrorOut}, url_name="performances_writing_review"
)
def writing_review(request: HttpRequest, writing_id: int, payload: ReviewIn) -> Any:
    """The guidance office or the homeroom teacher comments on a writing and marks it checked."""
    school = _school(request)
    user = request.user
    writing = selectors.writing_visible_to(user, school, writing_id)  # type: ignore[arg-type]
    if writing is None:
        raise HttpError(404, "Not Found")
    if not (
        selectors.may_review_as_homeroom(user, writing.student)  # type: ignore[arg-type]
        or selectors.may_review_as_guidance(user, school)  # type: ignore[arg-type]
    ):
        raise forbidden()
    try:
        services.writing_review(
            actor=Actor.from_request(request),
            school=school,
            writing=writing,
            role=payload.role,
            comment=payload.comment,
            checked=payload.checked,
        )
    except ServiceError as error:
        return error_out(error)
    return _writing_out(writing.term, writing.kind, selectors.writings_of(writing.student, writing.term)[writing.kind])
