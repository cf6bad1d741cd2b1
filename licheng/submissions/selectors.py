"""Reads of submissions, narrowed to the request's school."""

from __future__ import annotations

from django.db.models import QuerySet

from licheng.schools.models import School, Term
from licheng.submissions.models import Submission


def submissions_of(school: School) -> QuerySet[Submission]:
    return Submission.objects.filter(school=school).select_related("term__academic_year", "started_by")


def latest_built(school: School, term: Term | None = None) -> Submission | None:
    rows = Submission.objects.filter(school=school, status="done")
    if term is not None:
        rows = rows.filter(term=term)
    return rows.order_by("-number").first()
