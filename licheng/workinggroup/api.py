"""/api/v1/working-group: the working group (工作小組): members, meetings, trainings, evaluations."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from licheng.api.auth import require
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.workinggroup import services
from licheng.workinggroup.models import Meeting, Member

router = Router(tags=["workinggroup"])


class MemberOut(Schema):
    id: int
    name: str
    position: str
    group_role: str
    joined_on: datetime.date
    left_on: datetime.date | None


class MeetingOut(Schema):
    id: int
    term: str
    held_on: datetime.date
    title: str
    agenda: str
    decisions: str


@router.get("/members", response=list[MemberOut], url_name="workinggroup_members")
def member_list(request: HttpRequest) -> list[MemberOut]:
    require(request, "workinggroup.view")
    rows = Member.objects.filter(school=request.school)  # type: ignore[attr-defined]
    return [
        MemberOut(
            id=m.pk, name=m.name, position=m.position, group_role=m.group_role, joined_on=m.joined_on, left_on=m.left_on
        )
        for m in rows[:500]
    ]


@router.get("/meetings", response=list[MeetingOut], url_name="workinggroup_meetings")
def meeting_list(request: HttpRequest) -> list[MeetingOut]:
    require(request, "workinggroup.view")
    rows = Meeting.objects.filter(school=request.school).select_related("term__academic_year")  # type: ignore[attr-defined]
    return [
        MeetingOut(id=m.pk, term=m.term.label, held_on=m.held_on, title=m.title, agenda=m.agenda, decisions=m.decisions)
        for m in rows[:500]
    ]


class DeleteIn(Schema):
    reason: str


@router.delete("/meetings/{meeting_id}", response={204: None}, url_name="workinggroup_meeting_delete")
def meeting_delete(request: HttpRequest, meeting_id: int, payload: DeleteIn) -> Status[Any]:
    """Delete a meeting recorded by mistake (needs ``workinggroup.manage``); ``reason`` is required
    and kept in the audit trail."""
    require(request, "workinggroup.manage")
    meeting: Meeting = get_object_or_404(Meeting.objects.filter(school=request.school), pk=meeting_id)  # type: ignore[attr-defined]
    try:
        services.meeting_delete(actor=Actor.from_request(request), meeting=meeting, reason=payload.reason)
    except ServiceError as error:
        raise HttpError(422, error.message) from None
    return Status(204, None)
