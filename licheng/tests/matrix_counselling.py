"""Permission-matrix rows for ``licheng.counselling`` (counselling records, 課程諮詢紀錄).

The world gets one session of the persona student, recorded by a guidance-office counsellor (the
personas have no course counsellor) with one PDF attached. Its readers among the personas: the
student and their homeroom teacher; everyone else 404 — parents and the school admin included.
"""

from __future__ import annotations

from typing import Any

from licheng.tests.matrix_base import OK, Case, World, who

SESSION = lambda w: {"pk": w.extra["counselling_session"].pk}  # noqa: E731
ATTACHMENT = lambda w: {"pk": w.extra["counselling_session"].pk, "file_id": w.extra["counselling_file"].pk}  # noqa: E731
IMPORT = lambda w: {"pk": w.extra["counselling_import"].pk}  # noqa: E731
READERS = who(404, anonymous=302, student=200, homeroom_teacher=200)
# Readers who may not change it: 403; those who may not see it: 404.
CHANGE = who(404, anonymous=302, student=403, homeroom_teacher=403)
NOBODY_RECORDS = who(403, anonymous=302)


def _payload(w: World) -> dict[str, Any]:
    return {"held_on": "114.10.01", "student_numbers": [w.p.student.student_number], "content": "x"}


CASES = [
    Case("counselling:list", who(403, anonymous=302, homeroom_teacher=200)),
    Case("counselling:create", NOBODY_RECORDS),
    Case("counselling:export", NOBODY_RECORDS),
    Case("counselling:mine", who(404, anonymous=302, student=200)),
    Case("counselling:detail", READERS, kwargs=SESSION),
    Case("counselling:edit", CHANGE, kwargs=SESSION),
    Case("counselling:delete", CHANGE, kwargs=SESSION, method="post"),
    Case("counselling:attachment", READERS, kwargs=ATTACHMENT),
    Case("counselling:import_start", NOBODY_RECORDS),
    Case("counselling:import_template", NOBODY_RECORDS),
    # An import's preview is its uploader's alone (the world's is the guidance counsellor's).
    Case("counselling:import_detail", who(404, anonymous=302), kwargs=IMPORT),
    Case("counselling:import_apply", who(404, anonymous=302), kwargs=IMPORT, method="post"),
    Case("api-v1:counselling_sessions", who(200, anonymous=401)),
    Case("api-v1:counselling_session", who(404, anonymous=401, student=200, homeroom_teacher=200), kwargs=SESSION),
    Case("api-v1:counselling_session_create", who(403, anonymous=401), method="post", data=_payload),
    # Multipart only: the matrix's JSON body is refused (422) before any check, for everyone signed in.
    Case("api-v1:counselling_session_attachments", who(OK, anonymous=401), kwargs=SESSION, method="post"),
    Case(
        "api-v1:counselling_session_attachment",
        who(404, anonymous=401, student=200, homeroom_teacher=200),
        kwargs=ATTACHMENT,
    ),
]


def extend(world: World) -> None:
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from licheng.audit.services import Actor
    from licheng.counselling import services
    from licheng.counselling.models import CounsellingAttachment, CounsellingImport
    from licheng.files.services import file_ingest
    from licheng.files.tests import corpus
    from licheng.testing.factories import make_staff

    p = world.p
    guidance = make_staff(p.school, "guidance", username="matrix_guidance", name="輔導老師")
    session = services.counselling_session_create(
        actor=Actor(user=guidance),
        school=p.school,
        counsellor=guidance,
        kind="individual",
        held_on=datetime.date(2025, 10, 1),
        students=[p.student],
        content="matrix",
    )
    stored = file_ingest(
        actor=Actor(user=guidance),
        school=p.school,
        upload=SimpleUploadedFile("諮詢.pdf", corpus.pdf()),
        kinds=("document",),
        document_max_bytes=corpus.LIMIT,
        media_max_bytes=corpus.LIMIT,
    )
    CounsellingAttachment.objects.create(school=p.school, session=session, stored_file=stored)
    world.extra["counselling_session"] = session
    world.extra["counselling_file"] = stored
    world.extra["counselling_import"] = CounsellingImport.objects.create(
        school=p.school, created_by=guidance, file_name="諮詢.xlsx", headers=["held_on"], rows=[]
    )
