"""Permission-matrix rows for the working group (工作小組): members, meetings, trainings, evaluations
(``licheng.workinggroup``).

Offices and the working group read (``workinggroup.view``); the working group and the school admin
record (``workinggroup.manage``); another school's objects answer 404.
"""

from __future__ import annotations

from licheng.tests.matrix_base import OK, Case, World, who

MEMBER = lambda w: {"pk": w.extra["wg_member"].pk}  # noqa: E731
MEETING = lambda w: {"pk": w.extra["wg_meeting"].pk}  # noqa: E731
MEETING_FILE = lambda w: {"pk": w.extra["wg_meeting"].pk, "file_pk": w.extra["wg_attachment"].pk}  # noqa: E731

VIEW = who(403, anonymous=302, registry=200, school_admin=200, outsider=200)
VIEW_OBJ = who(403, anonymous=302, registry=200, school_admin=200, outsider=404)
MANAGE = who(403, anonymous=302, school_admin=200, outsider=200)
MANAGE_OBJ_POST = who(403, anonymous=302, school_admin=OK, outsider=404)
API_VIEW = who(403, anonymous=401, registry=200, school_admin=200, outsider=200)

CASES = [
    Case("workinggroup:index", VIEW),
    Case("workinggroup:members", VIEW),
    Case("workinggroup:member_create", MANAGE),
    Case("workinggroup:member_leave", MANAGE_OBJ_POST, kwargs=MEMBER, method="post"),
    Case("workinggroup:meetings", VIEW),
    Case("workinggroup:meeting_create", MANAGE),
    Case("workinggroup:meeting_detail", VIEW_OBJ, kwargs=MEETING),
    Case("workinggroup:meeting_attach", MANAGE_OBJ_POST, kwargs=MEETING, method="post"),
    Case("workinggroup:meeting_delete", who(403, anonymous=302, school_admin=200, outsider=404), kwargs=MEETING),
    Case(
        "workinggroup:meeting_delete",
        MANAGE_OBJ_POST,
        kwargs=MEETING,
        method="post",
        data=lambda w: {"reason": "誤植"},
    ),
    Case("workinggroup:meeting_file", VIEW_OBJ, kwargs=MEETING_FILE),
    Case(
        "api-v1:workinggroup_meeting_delete",
        who(403, anonymous=401, school_admin=204, outsider=404),
        kwargs=lambda w: {"meeting_id": w.extra["wg_meeting"].pk},
        method="delete",
        data=lambda w: {"reason": "誤植"},
    ),
    Case("workinggroup:trainings", VIEW),
    Case("workinggroup:training_create", MANAGE),
    Case(
        "workinggroup:training_delete",
        MANAGE_OBJ_POST,
        kwargs=lambda w: {"pk": w.extra["wg_training"].pk},
        method="post",
        data=lambda w: {"reason": "誤植"},
    ),
    Case("workinggroup:evaluations", VIEW),
    Case("workinggroup:evaluation_create", MANAGE),
    Case("workinggroup:export", VIEW, kwargs=lambda w: {"kind": "meetings"}),
    Case("api-v1:workinggroup_members", API_VIEW),
    Case("api-v1:workinggroup_meetings", API_VIEW),
]


def extend(world: World) -> None:
    """Add the objects the routes above point at to ``world.extra``."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from licheng.audit.services import Actor
    from licheng.files.services import file_ingest
    from licheng.files.tests import corpus
    from licheng.workinggroup import services
    from licheng.workinggroup.models import MeetingAttachment

    p = world.p
    actor = Actor(user=p.school_admin)
    world.extra["wg_member"] = services.member_add(
        actor=actor,
        school=p.school,
        name="黃校長",
        position="校長",
        group_role="convener",
        joined_on=p.term.starts_on,
    )
    meeting = services.meeting_record(
        actor=actor,
        school=p.school,
        held_on=p.term.starts_on + datetime.timedelta(days=20),
        title="第一次工作小組會議",
        agenda="學習歷程檔案上傳期程",
    )
    stored = file_ingest(
        actor=actor,
        school=p.school,
        upload=SimpleUploadedFile("會議紀錄.pdf", corpus.pdf()),
        kinds=("document",),
        document_max_bytes=corpus.LIMIT,
        media_max_bytes=corpus.LIMIT,
    )
    world.extra["wg_meeting"] = meeting
    world.extra["wg_training"] = services.training_record(
        actor=actor,
        school=p.school,
        kind="briefing",
        audience="parents",
        held_on=p.term.starts_on,
        title="說明會",
        attendance_count=10,
    )
    world.extra["wg_attachment"] = MeetingAttachment.objects.create(
        school=p.school, meeting=meeting, stored_file=stored
    )
