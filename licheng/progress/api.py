"""/api/v1/progress: self-check (自我檢核) checklists and progress dashboards."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from licheng.api.auth import require
from licheng.progress.models import ChecklistItem
from licheng.progress.views import checklist_rows
from licheng.schedule.selectors import terms_of
from licheng.schools.selectors import current_term

router = Router(tags=["progress"])


class ItemOut(Schema):
    id: int
    section: str
    title: str
    work_item: str
    office: str
    due_on: datetime.date
    status: str
    done: int | None
    out_of: int | None
    note: str


@router.get("/checklist", response=list[ItemOut], url_name="progress_checklist")
def checklist(request: HttpRequest, term_id: int | None = None) -> list[ItemOut]:
    """A term's self-check items (default: the current term) with computed progress where the data shows it."""
    require(request, "progress.view")
    school = request.school  # type: ignore[attr-defined]
    term = get_object_or_404(terms_of(school), pk=term_id) if term_id else current_term(school)
    if term is None:
        return []
    rows = checklist_rows(term, list(ChecklistItem.objects.filter(school=school, term=term)))
    return [
        ItemOut(
            id=r["item"].pk,
            section=r["item"].section,
            title=r["item"].title,
            work_item=r["item"].work_item,
            office=r["item"].office,
            due_on=r["item"].due_on,
            status=str(r["status"].value),
            done=r["progress"][0] if r["progress"] else None,
            out_of=r["progress"][1] if r["progress"] else None,
            note=r["item"].note,
        )
        for r in rows
    ]
