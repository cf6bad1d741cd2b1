"""``/api/v1/schools``: the caller's school, its rules, terms and classes."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from licheng.api.auth import require
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.schools import services
from licheng.schools.models import AcademicYear, Division, SchoolRules, Term
from licheng.schools.selectors import classes_visible_to, current_term, rules_for

router = Router(tags=["schools"])


class ErrorOut(Schema):
    message: str
    field: str | None = None


def error_out(error: ServiceError) -> Status[ErrorOut]:
    return Status(422, ErrorOut(message=error.message, field=error.field))


class DivisionOut(Schema):
    code: int
    name: str


class TermOut(Schema):
    id: int
    label: str
    academic_year: int
    number: int
    starts_on: datetime.date
    ends_on: datetime.date
    upload_opens_on: datetime.date | None
    upload_closes_on: datetime.date | None
    certification_opens_on: datetime.date | None
    certification_closes_on: datetime.date | None
    selection_opens_on: datetime.date | None
    selection_closes_on: datetime.date | None

    @staticmethod
    def of(term: Term) -> TermOut:
        return TermOut(
            id=term.pk,
            label=term.label,
            academic_year=term.academic_year.year,
            number=term.number,
            **{name: getattr(term, name) for name in services.TERM_DATE_FIELDS},
        )


class SchoolOut(Schema):
    code: str
    name: str
    divisions: list[DivisionOut]
    current_term: TermOut | None


class RulesIn(Schema):
    """Every number the regulations leave to the school (``SchoolRules.NUMBER_FIELDS``)."""

    course_outcomes_per_term: int
    course_outcomes_per_year: int
    course_outcomes_selected: int
    performances_per_year: int
    performances_selected: int
    document_max_mb: int
    media_max_mb: int
    description_max_chars: int
    upload_weeks_after_term: int
    receipt_confirmation_days: int
    graduate_retention_years: int
    leaver_retention_years: int
    working_group_meetings_per_term: int
    working_group_size: int


class RulesOut(RulesIn):
    academic_year: int | None
    """The year whose own rules these are; null when they are the standing rules."""

    @staticmethod
    def of(rules: SchoolRules) -> RulesOut:
        return RulesOut(
            academic_year=rules.academic_year.year if rules.academic_year_id else None,  # type: ignore[union-attr]
            **{name: getattr(rules, name) for name in SchoolRules.NUMBER_FIELDS},
        )


class RulesPatch(Schema):
    """The same numbers, each optional: PATCH changes only those given."""

    course_outcomes_per_term: int | None = None
    course_outcomes_per_year: int | None = None
    course_outcomes_selected: int | None = None
    performances_per_year: int | None = None
    performances_selected: int | None = None
    document_max_mb: int | None = None
    media_max_mb: int | None = None
    description_max_chars: int | None = None
    upload_weeks_after_term: int | None = None
    receipt_confirmation_days: int | None = None
    graduate_retention_years: int | None = None
    leaver_retention_years: int | None = None
    working_group_meetings_per_term: int | None = None
    working_group_size: int | None = None


class ClassOut(Schema):
    id: int
    academic_year: int
    name: str
    grade: int
    division: int
    homeroom_teacher: str | None
    counsellor: str | None


@router.get("/current", response=SchoolOut)
def school_current(request: HttpRequest) -> SchoolOut:
    """The caller's school: code, name, divisions and the current term."""
    require(request, "school.view_settings")
    school = request.school  # type: ignore[attr-defined]
    term = current_term(school)
    return SchoolOut(
        code=school.code,
        name=school.name,
        divisions=[DivisionOut(code=d.code, name=d.name) for d in Division.objects.filter(school=school)],
        current_term=TermOut.of(term) if term else None,
    )


@router.get("/rules", response=RulesOut)
def rules_get(request: HttpRequest, year: int | None = None) -> RulesOut:
    """The rules in force for academic ``year`` (its own rules, else the standing ones); without
    ``year``, the standing rules."""
    require(request, "school.view_settings")
    return RulesOut.of(rules_for(request.school, year))  # type: ignore[attr-defined]


def _rules_change(request: HttpRequest, year: int | None, values: dict[str, int]) -> Status[Any]:
    require(request, "school.manage_settings")
    school = request.school  # type: ignore[attr-defined]
    actor = Actor.from_request(request)
    academic_year = get_object_or_404(AcademicYear, school=school, year=year) if year is not None else None
    try:
        with transaction.atomic():  # a refused change leaves no new override behind
            if academic_year is not None and not SchoolRules.objects.filter(academic_year=academic_year).exists():
                services.rules_override_for_year(actor=actor, school=school, academic_year=academic_year)
            rules = services.rules_update(actor=actor, school=school, academic_year=academic_year, values=values)
    except ServiceError as error:
        return error_out(error)
    return Status(200, RulesOut.of(rules))


@router.put("/rules", response={200: RulesOut, 422: ErrorOut})
def rules_put(request: HttpRequest, payload: RulesIn, year: int | None = None) -> Status[Any]:
    """Replace every number of the standing rules, or of academic ``year``'s own rules (created from
    the standing rules if the year has none yet)."""
    return _rules_change(request, year, payload.dict())


@router.patch("/rules", response={200: RulesOut, 422: ErrorOut})
def rules_patch(request: HttpRequest, payload: RulesPatch, year: int | None = None) -> Status[Any]:
    """Change some numbers of the standing rules or of academic ``year``'s own rules."""
    return _rules_change(request, year, payload.dict(exclude_none=True))


@router.get("/terms", response=list[TermOut])
def terms_list(request: HttpRequest) -> list[TermOut]:
    """Every term of the school, newest first."""
    require(request, "school.view_settings")
    terms = Term.objects.filter(school=request.school).select_related("academic_year")  # type: ignore[attr-defined]
    return [TermOut.of(term) for term in terms]


@router.get("/classes", response=list[ClassOut])
def classes_list(request: HttpRequest, year: int | None = None, grade: int | None = None) -> list[ClassOut]:
    """Classes the caller may see, optionally of one academic year and grade."""
    require(request, "school.view_settings")
    rows = classes_visible_to(request.user, request.school).select_related(  # type: ignore[arg-type, attr-defined]
        "academic_year", "division", "homeroom_teacher", "counsellor"
    )
    if year is not None:
        rows = rows.filter(academic_year__year=year)
    if grade is not None:
        rows = rows.filter(grade=grade)
    return [
        ClassOut(
            id=c.pk,
            academic_year=c.academic_year.year,
            name=c.name,
            grade=c.grade,
            division=c.division.code,
            homeroom_teacher=str(c.homeroom_teacher) if c.homeroom_teacher else None,
            counsellor=str(c.counsellor) if c.counsellor else None,
        )
        for c in rows.order_by("-academic_year__year", "grade", "name")
    ]
