"""/api/v1/announcements: announcements (訊息公告) addressed to the caller, and help requests."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from licheng.announcements import selectors, services
from licheng.api.auth import require
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError

router = Router(tags=["announcements"])


class AnnouncementOut(Schema):
    id: int
    title: str
    body: str
    publish_on: datetime.date
    expires_on: datetime.date | None


class HelpRequestIn(Schema):
    text: str
    page_url: str = ""


class HelpRequestOut(Schema):
    id: int
    text: str
    page_url: str
    reported_at: datetime.datetime
    status: str
    answer: str


@router.get("/", response=list[AnnouncementOut], url_name="announcements_current")
def announcements_current(request: HttpRequest) -> list[AnnouncementOut]:
    """The announcements addressed to the caller that are in effect today."""
    require(request)
    rows = selectors.current_for(request.user, request.school, timezone.localdate())  # type: ignore[arg-type,attr-defined]
    return [
        AnnouncementOut(id=a.pk, title=a.title, body=a.body, publish_on=a.publish_on, expires_on=a.expires_on)
        for a in rows[:100]
    ]


def _help_out(r: object) -> HelpRequestOut:
    return HelpRequestOut(
        id=r.pk,  # type: ignore[attr-defined]
        text=r.text,  # type: ignore[attr-defined]
        page_url=r.page_url,  # type: ignore[attr-defined]
        reported_at=r.reported_at,  # type: ignore[attr-defined]
        status=r.status,  # type: ignore[attr-defined]
        answer=r.answer,  # type: ignore[attr-defined]
    )


@router.get("/help", response=list[HelpRequestOut], url_name="help_requests_list")
def help_requests_list(request: HttpRequest) -> list[HelpRequestOut]:
    """The caller's own help requests (every request for the sections that answer them)."""
    require(request)
    rows = selectors.help_requests_visible_to(request.user, request.school)  # type: ignore[arg-type,attr-defined]
    return [_help_out(r) for r in rows[:200]]


@router.post("/help", response={201: HelpRequestOut}, url_name="help_request_create")
def help_request_create(request: HttpRequest, payload: HelpRequestIn) -> Status:
    require(request)
    try:
        row = services.help_request_create(
            actor=Actor.from_request(request),
            school=request.school,  # type: ignore[attr-defined]
            text=payload.text,
            page_url=payload.page_url,
        )
    except ServiceError as exc:
        raise HttpError(422, exc.message) from None
    return Status(201, _help_out(row))
