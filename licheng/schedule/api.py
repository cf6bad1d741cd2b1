"""/api/v1/schedule: work schedule (作業期程), windows, published schedule and iCalendar feeds."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from licheng.api.auth import require
from licheng.core.permissions import has_permission
from licheng.schedule.selectors import entries_of, published_terms, terms_of, work_items_for
from licheng.schedule.windows import WORK_ITEMS, deadlines_for
from licheng.schools.selectors import current_term

router = Router(tags=["schedule"])


class EntryOut(Schema):
    id: int
    term: str
    work_item: str
    label: str
    grade: int | None
    batch: int | None
    office: str
    starts_on: datetime.date
    ends_on: datetime.date
    self_check_on: datetime.date | None
    note: str


class DeadlineOut(Schema):
    term: str
    work_item: str
    label: str
    starts_on: datetime.date
    ends_on: datetime.date


@router.get("/entries", response=list[EntryOut], url_name="schedule_entries")
def entries(request: HttpRequest, term_id: int | None = None) -> list[EntryOut]:
    """The windows of a term (default: the current one)."""
    require(request, "schedule.view")
    school = request.school  # type: ignore[attr-defined]
    term = get_object_or_404(terms_of(school), pk=term_id) if term_id else current_term(school)
    if term is None:
        return []
    return [
        EntryOut(
            id=e.pk,
            term=term.label,
            work_item=e.work_item,
            label=str(WORK_ITEMS[e.work_item].label) if e.work_item in WORK_ITEMS else e.work_item,
            grade=e.grade,
            batch=e.batch,
            office=e.office,
            starts_on=e.starts_on,
            ends_on=e.ends_on,
            self_check_on=e.self_check_on,
            note=e.note,
        )
        for e in entries_of(term, drafts=has_permission(request.user, school, "schedule.manage"))  # type: ignore[arg-type]
    ]


@router.get("/mine", response=list[DeadlineOut], url_name="schedule_my_deadlines")
def my_deadlines(request: HttpRequest) -> list[DeadlineOut]:
    """The windows of this academic year that concern the caller, soonest end first."""
    require(request)
    school = request.school  # type: ignore[attr-defined]
    rows = deadlines_for(request.user, published_terms(school), work_items_for(request.user, school))  # type: ignore[arg-type]
    return [
        DeadlineOut(
            term=r["term"].label,
            work_item=r["work_item"],
            label=str(r["label"]),
            starts_on=r["starts_on"],
            ends_on=r["ends_on"],
        )
        for r in rows
    ]
