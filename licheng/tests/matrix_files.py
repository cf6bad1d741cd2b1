"""Permission-matrix rows for ``licheng.files`` (the files status page and a file's own URL)."""

from __future__ import annotations

from licheng.tests.matrix_base import PAGE_MANAGE_SETTINGS, Case, World, who

CASES = [
    # School admins see whether virus scanning is on and how much is stored.
    Case("files:status", PAGE_MANAGE_SETTINGS),
    # A file the student uploaded: the student, and staff who see every student of the school.
    Case(
        "files:download",
        who(404, anonymous=302, student=200, registry=200, school_admin=200),
        kwargs=lambda w: {"pk": w.extra["files_student_upload"].pk},
    ),
]


def extend(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from licheng.audit.services import Actor
    from licheng.files.services import file_ingest
    from licheng.files.tests import corpus

    world.extra["files_student_upload"] = file_ingest(
        actor=Actor(user=world.p.student_user),
        school=world.p.school,
        upload=SimpleUploadedFile("作品.pdf", corpus.pdf()),
        document_max_bytes=corpus.LIMIT,
        media_max_bytes=corpus.LIMIT,
    )
