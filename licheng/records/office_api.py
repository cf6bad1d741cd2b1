"""``/api/v1/records``: learning records entered by an office (彈性學習, …) for a student, one at a
time (mounted next to ``records.api``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from licheng.api.auth import require
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.people.models import Student
from licheng.records import selectors
from licheng.records.api import API_PAGE_SIZE

router = Router(tags=["records"])


class OfficeRecordOut(Schema):
    id: int
    kind: str
    student_id: int
    student_number: str
    academic_year: int
    office: str
    performance_id: int
    description: str
    fields: dict[str, Any]


class OfficeRecordFilters(Schema):
    kind: str = "flexible_learning"
    academic_year: int | None = None
    class_id: int | None = None
    student_number: str = ""
    offset: int = 0


class OfficeRecordIn(Schema):
    kind: str
    student_number: str
    description: str = ""
    fields: dict[str, Any]


def _office_out(entry: Any) -> OfficeRecordOut:
    return OfficeRecordOut(
        id=entry.pk,
        kind=entry.kind,
        student_id=entry.student_id,
        student_number=entry.student.student_number,
        academic_year=entry.academic_year,
        office=entry.office,
        performance_id=entry.performance_id,
        description=entry.performance.description,
        fields=entry.performance.fields,
    )


@router.get("/office-records", response=list[OfficeRecordOut], url_name="records_office_records")
def office_record_list(request: HttpRequest, filters: Query[OfficeRecordFilters]) -> list[OfficeRecordOut]:
    """One kind of office-entered learning record (needs ``performances.record``), 200 at a time.
    Kinds: flexible_learning, service_learning, group_activity, certificates, competitions,
    internship_cadres."""
    from licheng.records.office_records import OFFICE_KINDS, PERMISSION

    require(request, PERMISSION)
    if filters.kind not in OFFICE_KINDS:
        raise HttpError(422, _("Unknown record kind: %(kind)s.") % {"kind": filters.kind[:40]})
    rows = selectors.office_record_list(
        request.user,  # type: ignore[arg-type]
        request.school,  # type: ignore[attr-defined]
        filters.kind,
        academic_year=filters.academic_year,
        class_id=filters.class_id,
        search=filters.student_number,
    )
    offset = max(filters.offset, 0)
    return [_office_out(r) for r in rows[offset : offset + API_PAGE_SIZE]]


@router.post("/office-records", response={201: OfficeRecordOut}, url_name="records_office_record_create")
def office_record_create(request: HttpRequest, payload: OfficeRecordIn) -> Status[OfficeRecordOut]:
    """Enter one office record; ``fields`` are the performance's fields (dates ISO or ROC, the
    term of flexible learning and group activity as ``term`` like 114-1). Entering the same record
    again is refused."""
    import datetime as _datetime

    from licheng.records import office_services
    from licheng.records.office_records import OFFICE_KINDS, PERMISSION
    from licheng.schools import rocdate

    require(request, PERMISSION)
    spec = OFFICE_KINDS.get(payload.kind)
    if spec is None:
        raise HttpError(422, _("Unknown record kind: %(kind)s.") % {"kind": payload.kind[:40]})
    raw = dict(payload.fields)
    try:
        for column in spec.field_columns:
            value = raw.get(column.key)
            if isinstance(value, str) and value and column.parse is sheets_roc_date():
                try:
                    _datetime.date.fromisoformat(value)
                except ValueError:
                    raw[column.key] = rocdate.parse_roc(value).isoformat()
        if spec.year_field == "term" and isinstance(raw.get("term"), str) and "-" in raw["term"]:
            raw["year"], number = rocdate.parse_term(raw["term"])
            raw["term"] = str(number)
    except rocdate.RocDateError as error:
        raise HttpError(422, str(error)) from None
    student = Student.objects.filter(school=request.school, student_number=payload.student_number).first()  # type: ignore[attr-defined]
    if student is None:
        raise HttpError(422, _("No student with number %(value)s in this school.") % {"value": payload.student_number})
    try:
        entry = office_services.office_record_save(
            actor=Actor.from_request(request),
            school=request.school,  # type: ignore[attr-defined]
            kind=spec.key,
            student=student,
            fields=raw,
            description=payload.description,
        )
    except ServiceError as error:
        raise HttpError(422, error.message) from None
    return Status(201, _office_out(entry))


class OfficeRecordDeleteIn(Schema):
    reason: str


@router.delete(
    "/office-records/{record_id}",
    response={204: None},
    url_name="records_office_record_delete",
)
def office_record_delete(request: HttpRequest, record_id: int, payload: OfficeRecordDeleteIn) -> Status[Any]:
    """Delete an office record entered by mistake; ``reason`` (required, at most 200 characters)
    is told to the student. Its performance is withdrawn and leaves the student's selection."""
    from licheng.records import office_services
    from licheng.records.office_records import PERMISSION

    require(request, PERMISSION)
    entry = selectors.office_record(request.user, request.school, record_id)  # type: ignore[arg-type, attr-defined]
    try:
        office_services.office_record_delete(
            actor=Actor.from_request(request),
            school=request.school,  # type: ignore[attr-defined]
            entry=entry,
            reason=payload.reason,
        )
    except ServiceError as error:
        raise HttpError(422, error.message) from None
    return Status(204, None)


def sheets_roc_date() -> Any:
    from licheng.core.spreadsheets import roc_date

    return roc_date
