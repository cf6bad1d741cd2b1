"""Permission-matrix rows for announcements (訊息公告) and help requests.

Posting and exporting need ``announcements.post`` (offices, the school admin); an announcement is
seen by the posters and by those it is addressed to (here: students and grade 10, so the student and
their parent), 404 for anyone else. Anyone signed in reports a problem and sees their own requests;
the registry and the library/IT section (``announcements.answer_help``) see and answer all of them.
"""

from __future__ import annotations

from licheng.tests.matrix_base import OK, PAGE_ANY, Case, World, who

ANNOUNCEMENT = lambda w: {"pk": w.extra["announcement"].pk}  # noqa: E731
HELP = lambda w: {"pk": w.extra["help_request"].pk}  # noqa: E731

POSTERS = who(403, anonymous=302, registry=200, school_admin=200, outsider=200)
ANSWERERS = who(403, anonymous=302, registry=200, school_admin=200, outsider=200)
POSTERS_OBJ_POST = who(403, anonymous=302, registry=OK, school_admin=OK, outsider=404)
ADDRESSED = who(404, anonymous=302, student=200, parent=200, registry=200, school_admin=200)
OWN_OR_ANSWERER = who(404, anonymous=302, student=200, registry=200, school_admin=200)

CASES = [
    Case("announcements:list", PAGE_ANY),
    Case("announcements:create", POSTERS),
    Case("announcements:export", POSTERS),
    Case("announcements:detail", ADDRESSED, kwargs=ANNOUNCEMENT),
    Case("announcements:withdraw", POSTERS_OBJ_POST, kwargs=ANNOUNCEMENT, method="post"),
    Case("announcements:parent_notice", who(403, anonymous=302, school_admin=200, outsider=200)),
    Case("announcements:help_list", PAGE_ANY),
    Case("announcements:help_new", PAGE_ANY),
    Case("announcements:help_export", ANSWERERS),
    Case("announcements:help_detail", OWN_OR_ANSWERER, kwargs=HELP),
    Case(
        "announcements:help_answer",
        POSTERS_OBJ_POST,
        kwargs=HELP,
        method="post",
        data=lambda w: {"answer": "請清除瀏覽器快取後再試一次。"},
    ),
    Case("api-v1:announcements_current", who(200, anonymous=401)),
    Case("api-v1:help_requests_list", who(200, anonymous=401)),
    Case(
        "api-v1:help_request_create",
        who(201, anonymous=401),
        method="post",
        data=lambda w: {"text": "上傳按鈕沒有反應", "page_url": "/portfolio/"},
    ),
]


def extend(world: World) -> None:
    """Add the objects the routes above point at to ``world.extra``."""
    import datetime

    from licheng.announcements.services import announcement_post, help_request_create
    from licheng.audit.services import Actor

    p = world.p
    world.extra["announcement"] = announcement_post(
        actor=Actor(user=p.school_admin),
        school=p.school,
        title="學習歷程上傳提醒",
        body="請同學於期限內上傳課程學習成果。",
        publish_on=datetime.date.today() - datetime.timedelta(days=1),
        roles=["student"],
        grades=[10],
    )
    world.extra["help_request"] = help_request_create(
        actor=Actor(user=p.student_user), school=p.school, text="無法上傳 PDF", page_url="/portfolio/"
    )
