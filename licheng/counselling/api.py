"""/api/v1/counselling: counselling records the caller may see, and recording one."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from licheng.api.auth import forbidden, require
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.counselling import selectors, services
from licheng.counselling.models import CounsellingSession, SessionKind
from licheng.counselling.views import _file_limit
from licheng.files.upload import upload_route
from licheng.people.models import Student
from licheng.schools import rocdate

router = Router(tags=["counselling"])

API_PAGE_SIZE = 200


class ParticipantOut(Schema):
    student_id: int
    student_number: str
    name: str


class AttachmentOut(Schema):
    id: int
    name: str
    url: str


class SessionOut(Schema):
    id: int
    kind: str
    held_on: str
    starts_at: str | None
    ends_at: str | None
    place: str
    counsellor: str
    participants: list[ParticipantOut]
    content: str
    advice: str
    attachments: list[AttachmentOut]

    @staticmethod
    def of(request: HttpRequest, session: CounsellingSession) -> SessionOut:
        from django.urls import reverse

        students = selectors.visible_participants(request.user, request.school, session)  # type: ignore[arg-type, attr-defined]
        return SessionOut(
            id=session.pk,
            kind=session.kind,
            held_on=rocdate.format_roc(session.held_on),
            starts_at=session.starts_at.strftime("%H:%M") if session.starts_at else None,
            ends_at=session.ends_at.strftime("%H:%M") if session.ends_at else None,
            place=session.place,
            counsellor=session.counsellor.name,
            participants=[
                ParticipantOut(student_id=s.pk, student_number=s.student_number, name=s.name) for s in students
            ],
            content=session.content,
            advice=session.advice,
            attachments=[
                AttachmentOut(
                    id=f.pk, name=f.original_name, url=reverse("counselling:attachment", args=[session.pk, f.pk])
                )
                for f in session.attachments.all()
            ],
        )


class SessionIn(Schema):
    kind: str = SessionKind.INDIVIDUAL
    held_on: str
    starts_at: datetime.time | None = None
    ends_at: datetime.time | None = None
    place: str = ""
    student_numbers: list[str]
    content: str
    advice: str = ""


@router.get("/sessions", response=list[SessionOut], url_name="counselling_sessions")
def session_list(request: HttpRequest, kind: str = "", student_number: str = "", offset: int = 0) -> list[SessionOut]:
    """The sessions the caller may see, newest first, 200 at a time (``offset``)."""
    require(request)
    sessions = selectors.session_list(
        request.user,  # type: ignore[arg-type]
        request.school,  # type: ignore[attr-defined]
        kind=kind,
        student_number=student_number[:20],
    )
    offset = max(offset, 0)
    return [SessionOut.of(request, s) for s in sessions[offset : offset + API_PAGE_SIZE]]


@router.get("/sessions/{pk}", response=SessionOut, url_name="counselling_session")
def session_detail(request: HttpRequest, pk: int) -> SessionOut:
    require(request)
    return SessionOut.of(request, selectors.session_for(request.user, request.school, pk))  # type: ignore[arg-type, attr-defined]


@router.post("/sessions", response={201: SessionOut}, url_name="counselling_session_create")
def session_create(request: HttpRequest, payload: SessionIn) -> Status[SessionOut]:
    """Record a session (attachments are added on the page). The caller records as the counsellor."""
    require(request)
    user, school = request.user, request.school  # type: ignore[attr-defined]
    if not selectors.may_record(user, school):  # type: ignore[arg-type]
        raise forbidden()
    try:
        held_on = rocdate.parse_roc(payload.held_on)
    except rocdate.RocDateError as error:
        raise HttpError(422, f"held_on: {error}") from None
    numbers = list(dict.fromkeys(n.strip() for n in payload.student_numbers if n.strip()))
    found = {s.student_number: s for s in Student.objects.filter(school=school, student_number__in=numbers)}
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise HttpError(422, _("No student with number %(value)s in this school.") % {"value": "、".join(unknown)})
    try:
        session = services.counselling_session_create(
            actor=Actor.from_request(request),
            school=school,
            counsellor=user,  # type: ignore[arg-type]
            kind=payload.kind,
            held_on=held_on,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            place=payload.place[:100],
            students=[found[n] for n in numbers],
            content=payload.content[:5000],
            advice=payload.advice[:5000],
        )
    except ServiceError as error:
        raise HttpError(422, error.message) from None
    return Status(201, SessionOut.of(request, selectors.session_for(user, school, session.pk)))  # type: ignore[arg-type]


@router.post("/sessions/{pk}/attachments", response={201: SessionOut}, url_name="counselling_session_attachments")
@upload_route("api-v1:counselling_session_attachments", _file_limit, files_allowed=services.MAX_ATTACHMENTS)
def attachments_add(
    request: HttpRequest,
    pk: int,
    files: list[UploadedFile] = File(...),  # noqa: B008
) -> Status[SessionOut]:
    """Attach pdf, jpg or png files to a session (multipart, one or more ``files``): the recording
    counsellor, their proxies and the guidance office. Readers who may not change it get 403."""
    require(request)
    user, school = request.user, request.school  # type: ignore[attr-defined]
    session = selectors.session_for(user, school, pk)  # type: ignore[arg-type]
    if not services.may_change(user, school, session):  # type: ignore[arg-type]
        raise forbidden()
    try:
        services.counselling_attachments_add(actor=Actor.from_request(request), session=session, uploads=files)
    except ServiceError as error:
        raise HttpError(422, error.message) from None
    return Status(201, SessionOut.of(request, selectors.session_for(user, school, pk)))  # type: ignore[arg-type]


@router.get("/sessions/{pk}/attachments/{file_id}", url_name="counselling_session_attachment")
def attachment_download(request: HttpRequest, pk: int, file_id: int) -> Any:
    """One attachment's bytes, for those who may see the session (404 otherwise)."""
    from django.shortcuts import get_object_or_404

    from licheng.files.views import file_response

    require(request)
    session = selectors.session_for(request.user, request.school, pk)  # type: ignore[arg-type, attr-defined]
    stored = get_object_or_404(session.attachments.all(), pk=file_id)
    return file_response(request, stored, inline=False)
