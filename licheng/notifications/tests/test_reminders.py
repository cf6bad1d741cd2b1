"""The daily reminder job, delivered through a real SMTP server on loopback."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from licheng.notifications.models import Notification, Preference, ReminderSettings
from licheng.notifications.tasks import send_due_reminders
from licheng.notifications.tests.smtp import Received
from licheng.portfolio.models import CourseOutcome, CourseOutcomeVersion, VersionState
from licheng.schools.models import Term
from licheng.testing.factories import StudentFactory, UserFactory, enrol, make_course
from licheng.testing.personas import Personas


def _run(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders.enqueue()


def _pending(student, course, state=VersionState.PENDING) -> None:  # type: ignore[no-untyped-def]
    outcome = CourseOutcome.objects.create(
        school=course.school,
        student=student,
        course=course,
        term=course.term,
        academic_year_id=course.term.academic_year_id,
    )
    CourseOutcomeVersion.objects.create(
        school=course.school, outcome=outcome, number=1, description="作品", state=state
    )


@pytest.fixture
def closing_soon(personas: Personas) -> Personas:
    """Upload, certification and selection all close in two days; a second student has uploaded;
    the subject teacher has work waiting in two courses, the other teacher in one."""
    today = timezone.localdate()
    in_two = today + datetime.timedelta(days=2)
    Term.objects.filter(pk=personas.term.pk).update(
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=60),
        upload_opens_on=today - datetime.timedelta(days=30),
        upload_closes_on=in_two,
        certification_opens_on=today - datetime.timedelta(days=30),
        certification_closes_on=in_two,
        selection_opens_on=today - datetime.timedelta(days=30),
        selection_closes_on=in_two,
    )
    personas.term.refresh_from_db()
    second = StudentFactory.create(
        school_class=personas.school_class,
        user=UserFactory.create(school=personas.school, username="student2", name="林小華"),
        name="林小華",
    )
    math = make_course(personas.term, personas.subject_teacher, subject="數學", school_class=personas.school_class)
    enrol(math, second)
    enrol(personas.course, second)
    enrol(personas.other_course, second)
    _pending(second, personas.course)
    _pending(second, math)
    _pending(second, personas.other_course)
    personas.extra_student = second  # type: ignore[attr-defined]
    return personas


def test_reminders_reach_the_right_people_once(
    closing_soon: Personas, smtp_server: list[Received], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    p = closing_soon
    _run(django_capture_on_commit_callbacks)
    _run(django_capture_on_commit_callbacks)

    by_recipient: dict[str, list[Received]] = {}
    for message in smtp_server:
        for rcpt in message.recipients:
            by_recipient.setdefault(rcpt, []).append(message)
    # The student with nothing uploaded; the one with nothing selected; one digest per teacher.
    assert sorted(by_recipient) == sorted(
        [p.student_user.email, "student2@example.edu.tw", p.subject_teacher.email, p.other_teacher.email]
    )
    assert all(len(messages) == 1 for messages in by_recipient.values())
    upload = by_recipient[p.student_user.email][0]
    assert "提醒" in upload.subject and "上傳" in upload.body
    selection = by_recipient["student2@example.edu.tw"][0]
    assert "勾選" in selection.body
    digest = by_recipient[p.subject_teacher.email][0]
    assert "2" in digest.subject and "認證" in digest.subject
    assert "國文（101）" in digest.body and "數學（101）" in digest.body
    assert "物理" not in digest.body
    assert "物理" in by_recipient[p.other_teacher.email][0].body
    # In the app too, once each.
    assert Notification.objects.filter(user=p.student_user, category="reminder").count() == 1
    assert Notification.objects.filter(user=p.subject_teacher, category="reminder").count() == 1


def test_preferences_and_school_setting_are_respected(
    closing_soon: Personas, smtp_server: list[Received], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    p = closing_soon
    Preference.objects.create(school=p.school, user=p.subject_teacher, category="reminder", email=False)
    ReminderSettings.objects.create(school=p.other_school, days_before=0)
    _run(django_capture_on_commit_callbacks)
    recipients = {r for m in smtp_server for r in m.recipients}
    assert p.subject_teacher.email not in recipients
    assert Notification.objects.filter(user=p.subject_teacher, category="reminder").count() == 1

    # One day ahead: windows two days away are not due yet.
    ReminderSettings.objects.create(school=p.school, days_before=1)
    smtp_server.clear()
    Notification.objects.all().delete()
    from licheng.notifications.models import Delivery

    Delivery.objects.all().delete()
    _run(django_capture_on_commit_callbacks)
    assert smtp_server == []


def test_offices_hear_about_their_open_self_check_items(
    personas: Personas, smtp_server: list[Received], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from licheng.progress.models import ChecklistItem, Status

    today = timezone.localdate()
    for title, status, due in (
        ("學生基本資料及學期成績上傳", Status.OPEN, today + datetime.timedelta(days=1)),
        ("幹部經歷登錄", Status.DONE, today + datetime.timedelta(days=1)),
        ("年底才要做的事", Status.OPEN, today + datetime.timedelta(days=40)),
    ):
        ChecklistItem.objects.create(
            school=personas.school, term=personas.term, title=title, office="registry", due_on=due, status=status
        )
    _run(django_capture_on_commit_callbacks)
    _run(django_capture_on_commit_callbacks)
    assert [m.recipients for m in smtp_server] == [[personas.registry.email]]
    body = smtp_server[0].body
    assert "學生基本資料及學期成績上傳" in body
    assert "幹部經歷登錄" not in body and "年底才要做的事" not in body
    assert "自我檢核" in smtp_server[0].subject
