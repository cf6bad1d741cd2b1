"""The stored readiness report: computing the report reads every submitted student's grades,
outcomes, performances and cadre roles (about half a second for 2,000 students), too slow for every
view of the page. The page shows the last computed report with the time it was computed; the first
view of a term computes it, and anyone who sees the report recomputes it with one button
(``services.readiness_recompute``). Problems are stored untranslated with their parameters, so the
report reads in each viewer's language.

Not invalidated automatically: its inputs (students, grades, course codes, outcomes, performances,
cadre roles, the school's rules) are written by many apps, imports write them in bulk without
signals, so a "changed since" flag would sometimes be missing and a report would look current when
it is not. The page instead always says when the report was computed and that later changes need
a recomputation; building a submission reads the data itself, never this report."""

from __future__ import annotations

from typing import Any

from licheng.schools.models import School, Term
from licheng.submissions.models import ReadinessReport
from licheng.submissions.readiness import Check, Problem


def to_json(checks: list[Check]) -> list[dict[str, Any]]:
    return [
        {
            "key": check.key,
            "title": check.title_text,
            "rosters": check.rosters,
            "count": check.count,
            "problems": [{"text": p.text, "params": p.params, "url": p.url} for p in check.problems],
        }
        for check in checks
    ]


def from_json(data: list[dict[str, Any]]) -> list[Check]:
    return [
        Check(
            key=row["key"],
            title_text=row["title"],
            rosters=row["rosters"],
            count=row["count"],
            problems=[Problem(p["text"], p["params"], p["url"]) for p in row["problems"]],
        )
        for row in data
    ]


def stored_report(school: School, term: Term) -> ReadinessReport | None:
    return ReadinessReport.objects.filter(school=school, term=term).first()
