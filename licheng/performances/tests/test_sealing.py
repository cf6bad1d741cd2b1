"""A sealed student's performances and writings can be read but not changed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from licheng.performances.models import Performance, PerformanceSelection, Writing, WritingReview
from licheng.performances.tests.conftest import WORK, add_work
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db
SEALED = "has left the school and their portfolio is sealed: it can be read but not changed."


def test_sealed_student_cannot_change_performances_or_writings(windows_open: Personas) -> None:
    p = windows_open
    performance = add_work(p, "舊作品")
    writing = Writing.objects.create(
        school=p.school, student=p.student, term=p.term, kind="reflection", sections={"self_awareness": "<p>舊</p>"}
    )
    p.student.sealed_at = timezone.now()
    p.student.save(update_fields=["sealed_at"])
    client = client_in("en", p.student_user)

    response = client.post("/performances/new/8/", {"description": "新作品", "external_link": "", **WORK})
    assert SEALED in response.content.decode()
    response = client.post(
        f"/performances/{performance.pk}/edit/", {"description": "改過", "external_link": "", **WORK}
    )
    assert SEALED in response.content.decode()
    response = client.post(f"/performances/{performance.pk}/withdraw/", follow=True)
    assert SEALED in response.content.decode()
    response = client.post(f"/performances/selection/{performance.pk}/", {"selected": "1"}, follow=True)
    assert SEALED in response.content.decode()
    response = client.post("/performances/writings/reflection/", {"self_awareness": "<p>新</p>"})
    assert SEALED in response.content.decode()
    api = client.post(f"/api/v1/performances/mine/{performance.pk}/select")
    assert api.status_code == 422 and SEALED in api.json()["message"]

    homeroom = client_in("en", p.homeroom_teacher)
    response = homeroom.post(
        f"/performances/writings/{writing.pk}/review/",
        {"role": "homeroom", "comment": "好", "checked": "on"},
        follow=True,
    )
    assert SEALED in response.content.decode()

    performance.refresh_from_db()
    writing.refresh_from_db()
    assert Performance.objects.count() == 1 and performance.description == "舊作品" and performance.withdrawn_at is None
    assert PerformanceSelection.objects.count() == 0 and WritingReview.objects.count() == 0
    assert writing.sections == {"self_awareness": "<p>舊</p>"}
    # Staff and the student still read.
    assert homeroom.get(f"/performances/students/{p.student.pk}/").status_code == 200
    assert client.get(f"/performances/{performance.pk}/").status_code == 200
