"""What was entered by mistake can be deleted, through a service with an audit entry: grades (page
and API), working-group meetings and trainings, window extensions. Without a reason nothing goes."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from licheng.audit.models import AuditEntry
from licheng.audit.services import Actor
from licheng.portfolio.models import WindowExtension
from licheng.records.models import Grade
from licheng.schedule.models import ScheduleExtension
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas
from licheng.workinggroup import services as wg_services
from licheng.workinggroup.models import Meeting, Training

pytestmark = pytest.mark.django_db

CODE = "114123456A1101010000000"


def _grade(p: Personas, term: int = 1) -> Grade:
    return Grade.objects.create(
        school=p.school,
        student=p.student,
        academic_year=114,
        term=term,
        course_code=CODE,
        subject_name="國文",
        grade_level=10,
        credits=4,
        score=80,
    )


def test_a_grade_is_deleted_with_a_reason_on_its_page(personas: Personas) -> None:
    p = personas
    grade = _grade(p)
    client = client_in("en", p.registry)
    page = client.get(reverse("records:grade_edit", args=[grade.pk])).content.decode()
    assert "Delete this grade" in page and "data-confirm" in page
    url = reverse("records:grade_delete", args=[grade.pk])
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Give the reason for deleting this grade." in response.content.decode()
    assert Grade.objects.filter(pk=grade.pk).exists()
    response = client.post(url, {"reason": "學號輸入錯誤"}, follow=True)
    assert "was deleted" in response.content.decode()
    assert not Grade.objects.filter(pk=grade.pk).exists()
    entry = AuditEntry.objects.get(action="records.grade_deleted")
    assert entry.changes["reason"] == "學號輸入錯誤" and entry.changes["course_code"] == CODE
    # Teachers may not.
    other = _grade(p, term=2)
    assert (
        client_in("en", p.subject_teacher)
        .post(reverse("records:grade_delete", args=[other.pk]), {"reason": "x"})
        .status_code
        == 403
    )


def test_a_grade_is_deleted_through_the_api(personas: Personas) -> None:
    p = personas
    grade = _grade(p)
    client = client_in("en", p.registry)
    url = f"/api/v1/records/grades/{grade.pk}"
    response = client.delete(url, json.dumps({"reason": ""}), content_type="application/json")
    assert response.status_code == 422 and Grade.objects.filter(pk=grade.pk).exists()
    response = client.delete(url, json.dumps({"reason": "重複輸入"}), content_type="application/json")
    assert response.status_code == 204 and not Grade.objects.filter(pk=grade.pk).exists()


def test_meetings_and_trainings_are_deleted_after_a_confirmation_page(personas: Personas) -> None:
    p = personas
    actor = Actor(user=p.school_admin)
    meeting = wg_services.meeting_record(
        actor=actor, school=p.school, held_on=p.term.starts_on, title="誤建的會議", agenda="無"
    )
    training = wg_services.training_record(
        actor=actor,
        school=p.school,
        kind="briefing",
        audience="parents",
        held_on=p.term.starts_on,
        title="重複的說明會",
        attendance_count=5,
    )
    client = client_in("en", p.school_admin)
    assert (
        reverse("workinggroup:meeting_delete", args=[meeting.pk])
        in client.get(reverse("workinggroup:meeting_detail", args=[meeting.pk])).content.decode()
    )
    page = client.get(reverse("workinggroup:meeting_delete", args=[meeting.pk])).content.decode()
    assert "誤建的會議" in page and Meeting.objects.filter(pk=meeting.pk).exists()
    response = client.post(reverse("workinggroup:meeting_delete", args=[meeting.pk]), {"reason": ""})
    assert response.status_code == 400 and Meeting.objects.filter(pk=meeting.pk).exists()
    client.post(reverse("workinggroup:meeting_delete", args=[meeting.pk]), {"reason": "建錯學期"})
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert AuditEntry.objects.get(action="workinggroup.meeting_delete").changes["reason"] == "建錯學期"

    # Through the API too.
    again = wg_services.meeting_record(
        actor=actor, school=p.school, held_on=p.term.starts_on, title="又一次", agenda="無"
    )
    url = f"/api/v1/working-group/meetings/{again.pk}"
    assert client.delete(url, json.dumps({"reason": ""}), content_type="application/json").status_code == 422
    assert client.delete(url, json.dumps({"reason": "重複"}), content_type="application/json").status_code == 204
    assert not Meeting.objects.filter(pk=again.pk).exists()

    listed = client.get(reverse("workinggroup:trainings")).content.decode()
    assert reverse("workinggroup:training_delete", args=[training.pk]) in listed
    client.post(reverse("workinggroup:training_delete", args=[training.pk]), {"reason": "重複"})
    assert not Training.objects.filter(pk=training.pk).exists()
    assert AuditEntry.objects.filter(action="workinggroup.training_delete").exists()


def test_window_extensions_are_revoked(personas: Personas) -> None:
    p = personas
    until = datetime.date.today() + datetime.timedelta(days=5)
    schedule_ext = ScheduleExtension.objects.create(
        school=p.school,
        user=p.student_user,
        work_item="pre_check",
        term=p.term,
        until=until,
        reason="補件",
        granted_by=p.registry,
    )
    portfolio_ext = WindowExtension.objects.create(
        school=p.school,
        user=p.student_user,
        kind="upload",
        term=p.term,
        until=until,
        reason="住院",
        granted_by=p.registry,
    )
    client = client_in("en", p.registry)
    page = client.get(reverse("schedule:extensions")).content.decode()
    assert page.count("Revoke the extension of") == 2
    client.post(reverse("schedule:extension_revoke", args=["schedule", schedule_ext.pk]))
    client.post(reverse("schedule:extension_revoke", args=["portfolio", portfolio_ext.pk]))
    assert not ScheduleExtension.objects.exists() and not WindowExtension.objects.exists()
    assert AuditEntry.objects.filter(action="schedule_extension.revoke").count() == 2
    assert client.post(reverse("schedule:extension_revoke", args=["other", 1])).status_code == 404


def test_an_extension_is_revoked_on_the_portfolio_extensions_page(personas: Personas) -> None:
    p = personas
    extension = WindowExtension.objects.create(
        school=p.school,
        user=p.student_user,
        kind="selection",
        term=p.term,
        until=datetime.date.today() + datetime.timedelta(days=3),
        reason="補選",
        granted_by=p.registry,
    )
    client = client_in("en", p.registry)
    assert "Revoke the extension of" in client.get(reverse("portfolio:extensions")).content.decode()
    assert client.post(reverse("portfolio:extension_revoke", args=[extension.pk])).status_code == 302
    assert not WindowExtension.objects.exists()
    assert AuditEntry.objects.get(action="window_extension.revoke").changes["reason"] == "補選"
