"""Permission-matrix rows for the school export page (``licheng.portability``): the deployment
operator's only (not a persona here); for every school user the page does not exist."""

from __future__ import annotations

from typing import Any

from licheng.tests.matrix_base import Case, who

NOBODY = who(404, anonymous=302)
JOB = lambda w: {"pk": w.extra["school_export_job"].pk}  # noqa: E731

CASES = [
    Case("portability:exports", NOBODY),
    Case("portability:exports", NOBODY, method="post", data=lambda w: {"school": w.p.school.code}),
    Case("portability:download", NOBODY, kwargs=JOB),
]


def extend(world: Any) -> None:
    from licheng.portability.models import SchoolExportJob

    world.extra["school_export_job"] = SchoolExportJob.objects.create(
        school=world.p.school, requested_by=world.p.operator, status="done", file="school-exports/x.zip"
    )
