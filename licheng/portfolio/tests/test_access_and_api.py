"""Who may see what (files, class view, parent view) and the API under the same rules."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import translation

from licheng.notifications.models import Notification
from licheng.portfolio.models import CourseOutcome, CourseOutcomeSelection, CourseOutcomeVersion
from licheng.portfolio.tests.conftest import World, make_outcome, pdf_upload
from licheng.testing.factories import make_staff

pytestmark = pytest.mark.django_db


def test_files_are_served_to_the_people_concerned_and_404_to_everyone_else(world: World) -> None:
    p = world.p
    world.client(p.student_user).post(
        reverse("portfolio:my_outcomes"), {"course": p.course.pk, "description": "報告", "files": [pdf_upload()]}
    )
    version = CourseOutcomeVersion.objects.get()
    row = version.outcome_files.get()
    url = reverse("portfolio:file", args=[row.pk])
    for user in (p.student_user, p.subject_teacher, p.homeroom_teacher, p.parent, p.registry, p.school_admin):
        response = world.client(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
    for user in (p.other_teacher, p.outsider):
        assert world.client(user).get(url).status_code == 404, user
    stranger = make_staff(p.school, "homeroom_teacher", username="stranger")
    assert world.client(stranger).get(url).status_code == 404


def test_homeroom_class_view_shows_progress_and_sends_reminders(world: World) -> None:
    p = world.p
    make_outcome(p.student, p.course, state="passed")
    homeroom = world.client(p.homeroom_teacher)
    page = homeroom.get(reverse("portfolio:class_view", args=[p.school_class.pk])).content.decode()
    assert p.student.name in page and "1 / 9" in page
    response = homeroom.post(reverse("portfolio:class_remind", args=[p.school_class.pk]), {"student": [p.student.pk]})
    assert response.status_code == 302
    assert Notification.objects.filter(user=p.student_user).count() == 1
    # The subject teacher is not the homeroom teacher of the class: 404, no reminder.
    teacher = world.client(p.subject_teacher)
    assert teacher.get(reverse("portfolio:class_view", args=[p.school_class.pk])).status_code == 404
    assert (
        teacher.post(
            reverse("portfolio:class_remind", args=[p.school_class.pk]), {"student": [p.student.pk]}
        ).status_code
        == 404
    )
    assert Notification.objects.count() == 1


def test_parent_sees_their_child_read_only(world: World) -> None:
    p = world.p
    outcome = make_outcome(p.student, p.course, state="passed")
    parent = world.client(p.parent)
    children = parent.get(reverse("portfolio:children")).content.decode()
    assert reverse("portfolio:student_outcomes", args=[p.student.pk]) in children
    page = parent.get(reverse("portfolio:student_outcomes", args=[p.student.pk])).content.decode()
    assert "國文" in page
    detail = parent.get(reverse("portfolio:outcome_detail", args=[outcome.pk])).content.decode()
    assert "outcome_edit" not in detail and 'name="description"' not in detail
    assert parent.post(reverse("portfolio:outcome_withdraw", args=[outcome.pk])).status_code == 404
    assert (
        world.client(p.other_teacher).get(reverse("portfolio:student_outcomes", args=[p.student.pk])).status_code == 404
    )


def test_registry_overview_counts_by_class(world: World) -> None:
    p = world.p
    make_outcome(p.student, p.course, state="passed")
    page = world.client(p.registry).get(reverse("portfolio:overview")).content.decode()
    assert "101" in page
    assert world.client(p.subject_teacher).get(reverse("portfolio:overview")).status_code == 403


def test_notifications_page_and_mark_read(world: World) -> None:
    p = world.p
    Notification.objects.create(
        school=p.school,
        user=p.student_user,
        message="Your course outcome for {course} was certified.",
        params={"course": "國文"},
    )
    client = world.client(p.student_user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Your course outcome for 國文 was certified." in page
    client.post(reverse("notifications:mark_read"))
    assert Notification.objects.get().read_at is not None
    assert "國文" not in world.client(p.parent).get(reverse("notifications:list")).content.decode()


def test_api_upload_decide_select(world: World) -> None:
    p = world.p
    student = world.client(p.student_user)
    response = student.post(
        "/api/v1/portfolio/outcomes", {"course_id": p.course.pk, "description": "API 報告", "files": [pdf_upload()]}
    )
    assert response.status_code == 201, response.content
    outcome_id = response.json()["id"]
    bad = student.post(
        "/api/v1/portfolio/outcomes",
        {"course_id": p.course.pk, "description": "x" * 101, "files": [pdf_upload("b.pdf")]},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "description"
    not_mine = student.post(
        "/api/v1/portfolio/outcomes",
        {"course_id": p.other_course.pk, "description": "x", "files": [pdf_upload("c.pdf")]},
    )
    assert not_mine.status_code == 422
    assert CourseOutcome.objects.count() == 1
    version_id = response.json()["current"]["id"]

    teacher = world.client(p.subject_teacher)
    queue = teacher.get("/api/v1/portfolio/queue").json()
    assert [item["version_id"] for item in queue] == [version_id]
    other = world.client(p.other_teacher)
    refused = other.post(
        f"/api/v1/portfolio/versions/{version_id}/decision",
        json.dumps({"passed": True}),
        content_type="application/json",
    )
    assert refused.status_code == 404
    no_reason = teacher.post(
        f"/api/v1/portfolio/versions/{version_id}/decision",
        json.dumps({"passed": False}),
        content_type="application/json",
    )
    assert no_reason.status_code == 422
    decided = teacher.post(
        f"/api/v1/portfolio/versions/{version_id}/decision",
        json.dumps({"passed": True}),
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["state"] == "passed"

    assert student.post(f"/api/v1/portfolio/outcomes/{outcome_id}/selection").status_code == 204
    assert CourseOutcomeSelection.objects.count() == 1
    counters = student.get("/api/v1/portfolio/counters").json()
    assert (counters["term_uploaded"], counters["selected"], counters["selected_cap"]) == (1, 1, 6)
    assert student.delete(f"/api/v1/portfolio/outcomes/{outcome_id}/selection").status_code == 204
    assert not CourseOutcomeSelection.objects.exists()
    with translation.override("en"):
        notes = student.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert len(notes) == 1
    assert student.post("/api/v1/notifications/read", json.dumps({}), content_type="application/json").json() == {
        "marked": 1
    }


def test_api_pass_many(world: World) -> None:
    p = world.p
    ids = [make_outcome(p.student, p.course).versions.get().pk for _ in range(2)]
    response = world.client(p.subject_teacher).post(
        "/api/v1/portfolio/versions/pass", json.dumps({"version_ids": ids}), content_type="application/json"
    )
    assert response.json() == {"passed": 2, "problems": []}
