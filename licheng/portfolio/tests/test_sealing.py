"""A sealed student's course outcomes can be read but not changed, by the student or a teacher."""

from __future__ import annotations

import pytest
from django.utils import timezone

from licheng.portfolio.models import CourseOutcome, CourseOutcomeSelection, CourseOutcomeVersion
from licheng.portfolio.tests.conftest import World, make_outcome, pdf_upload

pytestmark = pytest.mark.django_db
SEALED = "has left the school and their portfolio is sealed: it can be read but not changed."


def _seal(world: World) -> None:
    world.p.student.sealed_at = timezone.now()
    world.p.student.save(update_fields=["sealed_at"])


def _messages(response: object) -> str:
    return " ".join(str(m) for m in response.context["messages"])  # type: ignore[attr-defined]


def test_sealed_student_cannot_upload_edit_withdraw_or_select(world: World) -> None:
    pending = make_outcome(world.p.student, world.p.course)
    passed = make_outcome(world.p.student, world.p.course, state="passed")
    _seal(world)
    client = world.client(world.p.student_user)

    response = client.post(
        "/portfolio/", {"course": world.p.course.pk, "description": "新作品", "files": [pdf_upload()]}
    )
    assert response.status_code == 422 and SEALED in response.content.decode()
    for url, data in [
        (f"/portfolio/{pending.pk}/edit/", {"description": "改過"}),
        (f"/portfolio/{pending.pk}/withdraw/", {}),
        (f"/portfolio/{passed.pk}/select/", {"selected": "1"}),
    ]:
        response = client.post(url, data, follow=True)
        assert SEALED in _messages(response), url
    assert CourseOutcome.objects.count() == 2
    assert CourseOutcome.objects.filter(withdrawn_at__isnull=False).count() == 0
    assert set(CourseOutcomeVersion.objects.values_list("description", flat=True)) == {"作品說明"}
    assert CourseOutcomeSelection.objects.count() == 0
    api = client.post(f"/api/v1/portfolio/outcomes/{passed.pk}/selection")
    assert api.status_code == 422 and SEALED in api.json()["message"]


def test_teacher_cannot_certify_a_sealed_student_but_staff_still_read(world: World) -> None:
    outcome = make_outcome(world.p.student, world.p.course)
    version = outcome.versions.get()
    _seal(world)
    teacher = world.client(world.p.subject_teacher)
    response = teacher.post(f"/portfolio/queue/{version.pk}/decide/", {"decision": "pass"}, follow=True)
    assert SEALED in _messages(response)
    version.refresh_from_db()
    assert version.state == "pending"
    assert teacher.get(f"/portfolio/{outcome.pk}/").status_code == 200
    for user in (world.p.registry, world.p.homeroom_teacher, world.p.student_user, world.p.parent):
        page = world.client(user).get(f"/portfolio/students/{world.p.student.pk}/portfolio/")
        assert page.status_code == 200 and "作品說明" in page.content.decode()
