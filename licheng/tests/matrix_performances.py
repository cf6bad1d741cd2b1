"""Permission-matrix rows for performances, selection and writings."""

from __future__ import annotations

import datetime
from typing import Any

from licheng.tests.matrix_base import OK, Case, World, who

PERF = lambda w: {"pk": w.extra["performance"].pk}  # noqa: E731
WRITING = lambda w: {"pk": w.extra["writing"].pk}  # noqa: E731
API_PERF = lambda w: {"performance_id": w.extra["performance"].pk}  # noqa: E731

# Only the student themself.
STUDENT_PAGE = who(404, anonymous=302, student=200)
STUDENT_POST = who(404, anonymous=302, student=OK)
STUDENT_API = who(403, anonymous=401, student=200)
STUDENT_API_CHANGE = who(403, anonymous=401, student=OK)
# The student, their homeroom teacher, their parent (read-only) and staff who see all.
ABOUT_STUDENT = who(404, anonymous=302, student=200, homeroom_teacher=200, parent=200, school_admin=200)

CASES = [
    Case("performances:mine", STUDENT_PAGE),
    Case("performances:create", STUDENT_PAGE, kwargs=lambda w: {"kind": 8}),
    Case("performances:detail", ABOUT_STUDENT, kwargs=PERF),
    Case("performances:edit", STUDENT_PAGE, kwargs=PERF),
    Case("performances:withdraw", STUDENT_POST, kwargs=PERF, method="post"),
    Case(
        "performances:file",
        ABOUT_STUDENT,
        kwargs=lambda w: {"pk": w.extra["performance"].pk, "file_id": w.extra["stored_file"].pk},
    ),
    Case("performances:selection", STUDENT_PAGE),
    Case("performances:selection_toggle", STUDENT_POST, kwargs=PERF, method="post", data=lambda w: {"selected": "1"}),
    Case("performances:writings", STUDENT_PAGE),
    Case("performances:writing_edit", STUDENT_PAGE, kwargs=lambda w: {"kind": "reflection"}),
    Case("performances:writing_attachment", ABOUT_STUDENT, kwargs=WRITING),
    # The student and parent see the writing but do not review it; homeroom teacher and guidance do.
    Case(
        "performances:writing_review",
        who(404, anonymous=302, student=403, parent=403, homeroom_teacher=OK, school_admin=OK),
        kwargs=WRITING,
        method="post",
        data=lambda w: {"comment": "好", "checked": "on"},
    ),
    Case("performances:student", ABOUT_STUDENT, kwargs=lambda w: {"pk": w.p.student.pk}),
    Case("performances:classes", who(403, anonymous=302, homeroom_teacher=200, school_admin=200, outsider=200)),
    Case(
        "performances:class_overview",
        who(404, anonymous=302, homeroom_teacher=200, school_admin=200),
        kwargs=lambda w: {"pk": w.p.school_class.pk},
    ),
    Case("performances:codes", who(403, anonymous=302, school_admin=200, outsider=200)),
    # --- API ---
    Case("api-v1:performances_codes", who(200, anonymous=401)),
    Case("api-v1:performances_mine", STUDENT_API),
    Case(
        "api-v1:performances_create",
        STUDENT_API_CHANGE,
        method="post",
        data=lambda w: {"kind": 8, "description": "作品", "fields": {"name": "模型", "date": "2025-10-01"}},
    ),
    Case("api-v1:performances_withdraw", STUDENT_API_CHANGE, kwargs=API_PERF, method="post"),
    # JSON instead of multipart: the student gets a clear refusal (422), everyone else never gets that far.
    Case("api-v1:performances_add_files", STUDENT_API_CHANGE, kwargs=API_PERF, method="post"),
    Case(
        "api-v1:performances_remove_file",
        STUDENT_API_CHANGE,
        kwargs=lambda w: {"performance_id": w.extra["performance"].pk, "file_id": w.extra["stored_file"].pk},
        method="delete",
    ),
    Case("api-v1:performances_selection", STUDENT_API),
    Case("api-v1:performances_select", STUDENT_API_CHANGE, kwargs=API_PERF, method="post"),
    Case("api-v1:performances_unselect", STUDENT_API_CHANGE, kwargs=API_PERF, method="delete"),
    Case("api-v1:performances_writings", STUDENT_API),
    Case(
        "api-v1:performances_writing_put",
        STUDENT_API_CHANGE,
        kwargs=lambda w: {"kind": "reflection"},
        method="put",
        data=lambda w: {"sections": {"self_awareness": "<p>我</p>"}},
    ),
    # JSON instead of multipart: a clear refusal (422) for the student.
    Case(
        "api-v1:performances_writing_attachment",
        STUDENT_API_CHANGE,
        kwargs=lambda w: {"kind": "reflection"},
        method="post",
    ),
    Case(
        "api-v1:performances_writing_review",
        who(404, anonymous=401, student=403, parent=403, homeroom_teacher=OK, school_admin=OK),
        kwargs=lambda w: {"writing_id": w.extra["writing"].pk},
        method="post",
        data=lambda w: {"role": "homeroom", "comment": "好"},
    ),
]


def extend(world: World) -> None:
    """Open the windows; give the student a performance with a file and a writing with an attachment."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from licheng.audit.services import Actor
    from licheng.files.models import StoredFile
    from licheng.performances import services
    from licheng.performances.models import PerformanceFile, Writing

    p: Any = world.p
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    term = p.term
    term.upload_opens_on, term.upload_closes_on = today - day, today + day
    term.selection_opens_on, term.selection_closes_on = today - day, today + day
    term.save()
    actor = Actor(user=p.student_user)
    performance = services.performance_create(
        actor=actor, school=p.school, kind=8, description="作品", fields={"name": "模型", "date": "2025-10-01"}
    )
    name = "matrix/performances-matrix.txt"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"matrix"))
    stored = StoredFile.objects.create(
        school=p.school,
        sha256="0" * 64,
        size=6,
        content_type="application/pdf",
        kind="document",
        original_name="matrix.pdf",
        storage_name=name,
        uploaded_by=p.student_user,
    )
    PerformanceFile.objects.create(school=p.school, performance=performance, stored_file=stored, position=0)
    writing = Writing.objects.create(
        school=p.school,
        student=p.student,
        term=term,
        kind="reflection",
        sections={"self_awareness": "<p>我</p>"},
        attachment=stored,
    )
    world.extra.update(performance=performance, stored_file=stored, writing=writing)
