"""Help requests from any page, answered by the registry or library/IT with the reporter told; the
guidance office's mid-term progress notice to parents."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from licheng.announcements.models import HelpRequest, HelpStatus, ParentNotice
from licheng.notifications.models import Notification
from licheng.notifications.tests.smtp import Received
from licheng.portfolio.models import CourseOutcome, CourseOutcomeVersion, VersionState
from licheng.testing.factories import make_staff
from licheng.testing.personas import Personas


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_report_answer_and_reporter_is_told(
    personas: Personas, smtp_server: list[Received], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    student = _client(personas.student_user)
    form = student.get(reverse("announcements:help_new") + "?page=/portfolio/%3Fterm%3D1")
    assert "/portfolio/?term=1" in form.content.decode()
    response = student.post(
        reverse("announcements:help_new"), {"text": "上傳 PDF 時一直轉圈圈", "page": "/portfolio/?term=1"}
    )
    assert response.status_code == 302
    help_request = HelpRequest.objects.get()
    assert help_request.page_url == "/portfolio/?term=1"
    assert help_request.reported_at is not None and help_request.status == HelpStatus.OPEN

    # The registry sees it on the home page and in the list; another teacher does not.
    registry = _client(personas.registry)
    assert "1 個求助等待回覆" in registry.get(reverse("home")).content.decode()
    assert "上傳 PDF" in registry.get(reverse("announcements:help_list")).content.decode()
    assert (
        _client(personas.other_teacher).get(reverse("announcements:help_detail", args=[help_request.pk])).status_code
        == 404
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = registry.post(
            reverse("announcements:help_answer", args=[help_request.pk]), {"answer": "請改用 Chrome 再試一次。"}
        )
    assert response.status_code == 302
    help_request.refresh_from_db()
    assert help_request.status == HelpStatus.ANSWERED and help_request.answered_by == personas.registry
    note = Notification.objects.get(user=personas.student_user, category="help_request")
    assert "請改用 Chrome" in note.text
    assert [m.recipients for m in smtp_server] == [[personas.student_user.email]]
    assert "請改用 Chrome" in smtp_server[0].body

    export = registry.get(reverse("announcements:help_export"))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_bad_help_input_changes_nothing(personas: Personas) -> None:
    student = _client(personas.student_user)
    response = student.post(reverse("announcements:help_new"), {"text": "   ", "page": "https://evil.example/"})
    assert response.status_code == 400
    assert HelpRequest.objects.count() == 0
    response = student.post(reverse("announcements:help_new"), {"text": "壞掉了", "page": "https://evil.example/"})
    assert HelpRequest.objects.get().page_url == ""  # only this site's paths are kept
    registry = _client(personas.registry)
    help_request = HelpRequest.objects.get()
    response = registry.post(reverse("announcements:help_answer", args=[help_request.pk]), {"answer": ""})
    assert response.status_code == 400
    help_request.refresh_from_db()
    assert help_request.status == HelpStatus.OPEN
    assert Notification.objects.filter(category="help_request").count() == 0


def test_help_list_queries_stay_bounded(personas: Personas, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def report(count: int) -> None:
        HelpRequest.objects.bulk_create(
            HelpRequest(school=personas.school, reporter=personas.student_user, text=f"問題{n}") for n in range(count)
        )

    client = _client(personas.registry)
    url = reverse("announcements:help_list") + "?status=open"
    report(3)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    report(40)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert response.status_code == 200 and "問題39" in response.content.decode()


def test_parent_notice_summarises_each_child_once(
    personas: Personas, smtp_server: list[Received], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    guidance = make_staff(personas.school, "guidance", username="guidance", name="輔導主任")
    for state in (VersionState.PASSED, VersionState.PENDING):
        outcome = CourseOutcome.objects.create(
            school=personas.school,
            student=personas.student,
            course=personas.course,
            term=personas.term,
            academic_year_id=personas.term.academic_year_id,
        )
        CourseOutcomeVersion.objects.create(
            school=personas.school, outcome=outcome, number=1, description="作品", state=state
        )
    client = _client(guidance)
    url = reverse("announcements:parent_notice")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"term": personas.term.pk, "note": "請家長協助提醒。"})
    assert response.status_code == 302
    note = Notification.objects.get(user=personas.parent)
    assert "陳小明" in note.text and "2 件已上傳" in note.text and "1 件已認證" in note.text
    assert [m.recipients for m in smtp_server] == [[personas.parent.email]]
    assert "期中" in smtp_server[0].subject

    # A second sending for the same term is refused with a clear message; nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"term": personas.term.pk})
    assert response.status_code == 400
    assert "已於" in response.content.decode()
    assert ParentNotice.objects.count() == 1
    assert Notification.objects.filter(user=personas.parent).count() == 1
    assert len(smtp_server) == 1
