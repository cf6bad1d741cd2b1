"""Permission-matrix rows for readiness reports, rosters and submission snapshots (提交).

The registry and the school admin (``submissions.view``/``submissions.submit``) see the readiness
report, start builds and download; another school's snapshot answers 404."""

from __future__ import annotations

from licheng.tests.matrix_base import PAGE_REGISTRY, PAGE_REGISTRY_OBJ, POST_REGISTRY_OBJ, Case, World

SUBMISSION = lambda w: {"pk": w.extra["submission"].pk}  # noqa: E731
ROSTER = lambda w: {"pk": w.extra["submission"].pk, "code": "1"}  # noqa: E731

CASES: list[Case] = [
    Case("submissions:index", PAGE_REGISTRY),
    Case("submissions:start", POST_REGISTRY_OBJ, method="post", data=lambda w: {"term": w.p.term.pk}),
    Case("submissions:recompute", POST_REGISTRY_OBJ, method="post", data=lambda w: {"term": w.p.term.pk}),
    Case("submissions:detail", PAGE_REGISTRY_OBJ, kwargs=SUBMISSION),
    Case("submissions:roster", PAGE_REGISTRY_OBJ, kwargs=ROSTER),
    Case("submissions:package", PAGE_REGISTRY_OBJ, kwargs=SUBMISSION),
]


def extend(world: World) -> None:
    """A built snapshot with one roster and the personas' student's rows (written directly)."""
    from licheng.submissions.models import Submission, SubmittedRecord, SubmittedRoster
    from licheng.submissions.sample import store_bytes

    p = world.p
    submission = Submission.objects.create(
        school=p.school, term=p.term, number=1, status="done", progress=100, started_by=p.registry, manifest="\n"
    )
    stored = store_bytes(p.school, p.registry, "roster.xlsx", b"PK\x05\x06" + b"\x00" * 18, "application/zip")
    SubmittedRoster.objects.create(
        school=p.school,
        submission=submission,
        code="1",
        name="學生資料名冊",
        file_name="111111_1141_1_學生資料名冊.xlsx",
        stored_file=stored,
        row_count=1,
        term_code="1141",
    )
    SubmittedRecord.objects.create(
        school=p.school,
        submission=submission,
        student=p.student,
        roster_code="2",
        category="修課紀錄",
        sheets={"學期成績": [{"課程代碼": "114123456A1101010000000", "學期成績": "86"}]},
    )
    world.extra["submission"] = submission
