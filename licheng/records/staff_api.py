"""``/api/v1/records``: cadre roles, attendance, rewards and penalties, and career exploration,
entered by the offices one record at a time (mounted next to ``records.api``)."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from licheng.api.auth import require
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.people.models import Student
from licheng.records import selectors, staff_services
from licheng.records.api import API_PAGE_SIZE
from licheng.records.staff_forms import FORMS
from licheng.records.staff_records import KINDS

router = Router(tags=["records"])


class StaffRecordFilters(Schema):
    term: str = ""
    class_id: int | None = None
    student_number: str = ""
    choice: str = ""
    offset: int = 0


class CadreRoleOut(Schema):
    id: int
    student_id: int
    student_number: str
    term: str
    unit: str
    post: str
    level: int
    starts_on: datetime.date
    ends_on: datetime.date
    verified: bool


class CadreRoleIn(Schema):
    student_number: str
    term: str
    unit: str
    post: str
    level: int
    starts_on: str
    ends_on: str


class AttendanceOut(Schema):
    id: int
    student_id: int
    student_number: str
    term: str
    kind: str
    periods: int
    occurred_on: datetime.date | None


class AttendanceIn(Schema):
    student_number: str
    term: str
    kind: str
    periods: int
    occurred_on: str = ""


class RewardPenaltyOut(Schema):
    id: int
    student_id: int
    student_number: str
    term: str
    kind: str
    count: int
    reason: str
    decided_on: datetime.date


class RewardPenaltyIn(Schema):
    student_number: str
    term: str
    kind: str
    count: int = 1
    reason: str
    decided_on: str


def _out(kind: str, obj: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": obj.pk,
        "student_id": obj.student_id,
        "student_number": obj.student.student_number,
        "term": obj.term_label,
    }
    for name in KINDS[kind].key_fields + KINDS[kind].value_fields:
        data[name] = getattr(obj, name)
    if kind == "cadre_roles":
        data["verified"] = obj.verified_at is not None
    return data


def _staff_list(request: HttpRequest, kind: str, filters: StaffRecordFilters) -> list[dict[str, Any]]:
    require(request, KINDS[kind].permission)
    from licheng.schools import rocdate

    year = number = None
    if filters.term:
        try:
            year, number = rocdate.parse_term(filters.term)
        except rocdate.RocDateError as error:
            raise HttpError(422, str(error)) from None
    rows = selectors.staff_record_list(
        request.user,  # type: ignore[arg-type]
        request.school,  # type: ignore[attr-defined]
        kind,
        academic_year=year,
        term=number,
        class_id=filters.class_id,
        search=filters.student_number,
        choice=filters.choice,
    )
    offset = max(filters.offset, 0)
    return [_out(kind, obj) for obj in rows[offset : offset + API_PAGE_SIZE]]


def _staff_create(request: HttpRequest, kind: str, payload: Schema) -> dict[str, Any]:
    require(request, KINDS[kind].permission)
    data = payload.model_dump()
    form = FORMS[kind]({k: ("" if v is None else v) for k, v in data.items()})
    if not form.is_valid():
        raise HttpError(422, "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items()))
    number = data["student_number"]
    student = Student.objects.filter(school=request.school, student_number=number).first()  # type: ignore[attr-defined]
    if student is None:
        raise HttpError(422, _("No student with number %(value)s in this school.") % {"value": number})
    try:
        obj = staff_services.entry_save(
            actor=Actor.from_request(request),
            school=request.school,  # type: ignore[attr-defined]
            kind=kind,
            student=student,
            values=form.values(),
        )
    except ServiceError as error:
        raise HttpError(422, error.message) from None
    obj.student = student
    return _out(kind, obj)


@router.get("/cadre-roles", response=list[CadreRoleOut], url_name="records_cadre_roles")
def cadre_role_list(request: HttpRequest, filters: Query[StaffRecordFilters]) -> list[dict[str, Any]]:
    """Cadre roles (needs ``records.manage_cadre_roles``), 200 at a time; ``choice`` is the level."""
    return _staff_list(request, "cadre_roles", filters)


@router.post("/cadre-roles", response={201: CadreRoleOut}, url_name="records_cadre_role_create")
def cadre_role_create(request: HttpRequest, payload: CadreRoleIn) -> Status[dict[str, Any]]:
    """Enter one cadre role (unverified); dates as ROC (112.09.01) or ISO dates."""
    return Status(201, _staff_create(request, "cadre_roles", payload))


@router.get("/attendance", response=list[AttendanceOut], url_name="records_attendance")
def attendance_list(request: HttpRequest, filters: Query[StaffRecordFilters]) -> list[dict[str, Any]]:
    """Attendance per term (needs ``records.manage_discipline``); ``choice`` is the absence kind."""
    return _staff_list(request, "attendance", filters)


@router.post("/attendance", response={201: AttendanceOut}, url_name="records_attendance_create")
def attendance_create(request: HttpRequest, payload: AttendanceIn) -> Status[dict[str, Any]]:
    """Enter one term's periods of one absence kind for a student."""
    return Status(201, _staff_create(request, "attendance", payload))


@router.get("/rewards-penalties", response=list[RewardPenaltyOut], url_name="records_rewards_penalties")
def reward_penalty_list(request: HttpRequest, filters: Query[StaffRecordFilters]) -> list[dict[str, Any]]:
    """Rewards and penalties (needs ``records.manage_discipline``); ``choice`` is the kind."""
    return _staff_list(request, "rewards_penalties", filters)


@router.post("/rewards-penalties", response={201: RewardPenaltyOut}, url_name="records_reward_penalty_create")
def reward_penalty_create(request: HttpRequest, payload: RewardPenaltyIn) -> Status[dict[str, Any]]:
    """Enter one reward or penalty."""
    return Status(201, _staff_create(request, "rewards_penalties", payload))


class CareerExplorationOut(Schema):
    id: int
    student_id: int
    student_number: str
    term: str
    activity_title: str
    group_area: str
    hours: decimal.Decimal | None
    held_on: datetime.date


class CareerExplorationIn(Schema):
    student_number: str
    term: str
    activity_title: str
    group_area: str = ""
    hours: str = ""
    held_on: str


@router.get("/career-exploration", response=list[CareerExplorationOut], url_name="records_career_exploration")
def career_exploration_list(request: HttpRequest, filters: Query[StaffRecordFilters]) -> list[dict[str, Any]]:
    """Career exploration activities (needs ``records.manage_career``), 200 at a time."""
    return _staff_list(request, "career_exploration", filters)


@router.post("/career-exploration", response={201: CareerExplorationOut}, url_name="records_career_exploration_create")
def career_exploration_create(request: HttpRequest, payload: CareerExplorationIn) -> Status[dict[str, Any]]:
    """Enter one career exploration activity; the date as ROC (112.09.01) or ISO date."""
    return Status(201, _staff_create(request, "career_exploration", payload))
