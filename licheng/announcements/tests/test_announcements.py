"""Announcements: offices post to roles, grades or classes; recipients see them on their home page
and, when asked, by e-mail (real SMTP on loopback)."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from licheng.announcements.models import Announcement
from licheng.announcements.services import announcement_post
from licheng.audit.services import Actor
from licheng.notifications.tests.smtp import Received
from licheng.schools.rocdate import format_roc
from licheng.testing.personas import Personas


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _form(personas: Personas, **overrides: object) -> dict[str, object]:
    today = timezone.localdate()
    data: dict[str, object] = {
        "title": "學習歷程檔案上傳說明",
        "body": "請同學於期限內完成課程學習成果上傳。",
        "publish_on": format_roc(today),
        "expires_on": format_roc(today + datetime.timedelta(days=7)),
        "grades": ["10"],
        "send_email": "on",
    }
    data.update(overrides)
    return data


def test_office_posts_to_a_grade_and_recipients_see_and_receive_it(
    personas: Personas, smtp_server: list[Received], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    registry = _client(personas.registry)
    with django_capture_on_commit_callbacks(execute=True):
        response = registry.post(reverse("announcements:create"), _form(personas))
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert announcement.office == "registry"

    # The grade-10 student and their parent get it by e-mail, once; teachers do not.
    recipients = sorted(r for m in smtp_server for r in m.recipients)
    assert recipients == sorted([personas.student_user.email, personas.parent.email])
    assert all("學習歷程檔案上傳說明" in m.subject for m in smtp_server)

    home = _client(personas.student_user).get(reverse("home")).content.decode()
    assert "學習歷程檔案上傳說明" in home
    assert "學習歷程檔案上傳說明" in _client(personas.parent).get(reverse("home")).content.decode()
    assert "學習歷程檔案上傳說明" not in _client(personas.subject_teacher).get(reverse("home")).content.decode()
    assert (
        _client(personas.subject_teacher).get(reverse("announcements:detail", args=[announcement.pk])).status_code
        == 404
    )

    # Withdrawn: gone from the home page.
    registry.post(reverse("announcements:withdraw", args=[announcement.pk]))
    assert "學習歷程檔案上傳說明" not in _client(personas.student_user).get(reverse("home")).content.decode()


def test_roles_target_staff(personas: Personas) -> None:
    announcement_post(
        actor=Actor(user=personas.school_admin),
        school=personas.school,
        title="教師研習通知",
        body="週三下午進行學習歷程認證研習。",
        publish_on=timezone.localdate(),
        roles=["subject_teacher"],
    )
    assert "教師研習通知" in _client(personas.subject_teacher).get(reverse("home")).content.decode()
    assert "教師研習通知" not in _client(personas.student_user).get(reverse("home")).content.decode()


def test_future_announcement_is_emailed_by_the_daily_job_on_its_date(
    personas: Personas, smtp_server: list[Received]
) -> None:
    from licheng.notifications.tasks import send_school_announcements

    today = timezone.localdate()
    announcement_post(
        actor=Actor(user=personas.school_admin),
        school=personas.school,
        title="下週公告",
        body="內容",
        publish_on=today + datetime.timedelta(days=3),
        class_ids=[personas.school_class.pk],
        send_email=True,
    )
    assert send_school_announcements(personas.school, today) == 0
    assert "下週公告" not in _client(personas.student_user).get(reverse("home")).content.decode()
    day = today + datetime.timedelta(days=3)
    assert send_school_announcements(personas.school, day) == 2
    assert send_school_announcements(personas.school, day) == 0
    assert len(smtp_server) == 2


def test_bad_input_is_refused_and_changes_nothing(personas: Personas) -> None:
    registry = _client(personas.registry)
    url = reverse("announcements:create")
    response = registry.post(url, _form(personas, grades=[]))
    assert response.status_code == 400
    assert "請至少選擇一個" in response.content.decode()
    today = timezone.localdate()
    response = registry.post(url, _form(personas, expires_on=format_roc(today - datetime.timedelta(days=1))))
    assert response.status_code == 400
    assert "公告的下架日期不能早於發布日期" in response.content.decode()
    response = registry.post(url, _form(personas, title="  "))
    assert response.status_code == 400
    assert Announcement.objects.count() == 0
    # Not a poster: 403.
    assert _client(personas.subject_teacher).post(url, _form(personas)).status_code == 403
    assert Announcement.objects.count() == 0


def test_list_queries_stay_bounded(personas: Personas, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    registry = _client(personas.registry)
    student = _client(personas.student_user)

    def post(count: int) -> None:
        for _n in range(count):
            announcement_post(
                actor=Actor(user=personas.registry),
                school=personas.school,
                title=f"公告{Announcement.objects.count()}",
                body="內容",
                publish_on=timezone.localdate(),
                roles=["student"],
                class_ids=[personas.school_class.pk],
            )

    post(3)
    with CaptureQueriesContext(connection) as small_list:
        registry.get(reverse("announcements:list"))
    with CaptureQueriesContext(connection) as small_home:
        student.get(reverse("home"))
    post(30)
    with django_assert_max_num_queries(len(small_list)):
        response = registry.get(reverse("announcements:list"))
    assert response.status_code == 200
    assert "公告32" in response.content.decode()
    with django_assert_max_num_queries(len(small_home)):
        assert student.get(reverse("home")).status_code == 200
    export = registry.get(reverse("announcements:export"))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
