"""Permission-matrix rows for work schedule (作業期程), windows, published schedule and iCalendar feeds
(``licheng.schedule``).

Every member of staff sees the schedule; the registry, curriculum section, working group and school
admin change it and grant extensions. "My deadlines" is everyone's; the published schedule and the
feeds need no login (the private feed only its secret).
"""

from __future__ import annotations

import datetime

from licheng.tests.matrix_base import API_ANY, OK, PUBLIC, Case, World, who

TERM = lambda w: {"term_pk": w.p.term.pk}  # noqa: E731
ENTRY = lambda w: {"pk": w.extra["schedule_entry"].pk}  # noqa: E731
CODE = lambda w: {"code": w.p.school.code}  # noqa: E731

VIEW = who(200, anonymous=302, student=403, parent=403)
MANAGE_OBJ = who(403, anonymous=302, registry=200, school_admin=200, outsider=404)
MANAGE_POST_OBJ = who(403, anonymous=302, registry=OK, school_admin=OK, outsider=404)
EXTEND = who(403, anonymous=302, registry=200, school_admin=200, outsider=200)

CASES: list[Case] = [
    Case("schedule:index", VIEW),
    Case("schedule:entry_create", MANAGE_OBJ, kwargs=TERM),
    Case(
        "schedule:entry_create",
        MANAGE_POST_OBJ,
        kwargs=TERM,
        method="post",
        data=lambda w: {"work_item": "pre_check", "starts_on": "2025-09-01", "ends_on": "2025-09-16"},
    ),
    Case("schedule:copy_last_year", MANAGE_POST_OBJ, kwargs=TERM, method="post"),
    Case("schedule:publish", MANAGE_POST_OBJ, kwargs=TERM, method="post"),
    Case("schedule:entry_edit", MANAGE_OBJ, kwargs=ENTRY),
    Case("schedule:entry_delete", MANAGE_POST_OBJ, kwargs=ENTRY, method="post"),
    Case("schedule:extensions", EXTEND),
    Case(
        "schedule:extension_revoke",
        MANAGE_POST_OBJ,
        kwargs=lambda w: {"source": "schedule", "pk": w.extra["schedule_extension"].pk},
        method="post",
    ),
    Case(
        "schedule:extensions",
        who(403, anonymous=302, registry=OK, school_admin=OK, outsider=OK),
        method="post",
        data=lambda w: {
            "person": w.p.student.student_number,
            "work_item": "receipt_confirmation",
            "until": (datetime.date.today() + datetime.timedelta(days=3)).isoformat(),
            "reason": "公假",
        },
    ),
    Case("schedule:my_deadlines", who(200, anonymous=302)),
    Case("schedule:calendar_token_issue", who(OK, anonymous=302), method="post"),
    Case("schedule:calendar_token_revoke", who(OK, anonymous=302), method="post"),
    Case("schedule:my_feed", PUBLIC, kwargs=lambda w: {"token": w.extra["schedule_token"]}),
    Case("schedule:public", PUBLIC, kwargs=CODE),
    Case("schedule:public_feed", PUBLIC, kwargs=CODE),
    Case("api-v1:schedule_entries", who(200, anonymous=401, student=403, parent=403)),
    Case("api-v1:schedule_my_deadlines", API_ANY),
]


def extend(world: World) -> None:
    """Add the objects the routes above point at to ``world.extra``."""
    from licheng.audit.services import Actor
    from licheng.schedule import services

    p = world.p
    world.extra["schedule_entry"] = services.schedule_entry_create(
        actor=Actor(user=p.registry),
        term=p.term,
        work_item="upload",
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2025, 9, 30),
    )
    world.extra["schedule_token"] = services.calendar_token_issue(actor=Actor(user=p.student_user))
    from licheng.schedule.models import ScheduleExtension

    world.extra["schedule_extension"] = ScheduleExtension.objects.create(
        school=p.school,
        user=p.student_user,
        work_item="pre_check",
        term=p.term,
        until=datetime.date(2099, 1, 1),
        reason="補件",
        granted_by=p.registry,
    )
