"""Who sees which student: per persona, through the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from licheng.people.roles import Role
from licheng.testing.factories import StudentFactory, make_staff
from licheng.testing.personas import Personas

# persona → (students list status, sees the persona student in the list, detail status)
EXPECTED = {
    "registry": (200, True, 200),
    "school_admin": (200, True, 200),
    "homeroom_teacher": (200, True, 200),
    "subject_teacher": (200, True, 200),
    "other_teacher": (200, False, 404),
    "parent": (200, True, 200),
    "student": (403, False, 200),
    "outsider": (200, False, 404),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_students_visible_per_persona(personas: Personas, as_user: Any, persona: str) -> None:
    list_status, listed, detail_status = EXPECTED[persona]
    client = as_user(personas.by_name()[persona])
    response = client.get(reverse("people:student_list"))
    assert response.status_code == list_status
    if list_status == 200:
        assert (personas.student.name in response.content.decode()) is listed
    assert client.get(reverse("people:student_detail", args=[personas.student.pk])).status_code == detail_status


def test_outsider_cannot_reach_school_a_students(personas: Personas, as_user: Any) -> None:
    client = as_user(personas.outsider)
    pk = personas.student.pk
    for name in ("student_detail", "student_edit", "parent_create"):
        assert client.get(reverse(f"people:{name}", args=[pk])).status_code == 404
    assert personas.student.name not in client.get(reverse("people:student_list")).content.decode()


def test_counsellor_sees_the_classes_they_counsel(personas: Personas, as_user: Any) -> None:
    counsellor = make_staff(personas.school, Role.COURSE_COUNSELLOR, username="counsellor")
    client = as_user(counsellor)
    url = reverse("people:student_detail", args=[personas.student.pk])
    assert client.get(url).status_code == 404
    personas.school_class.counsellor = counsellor
    personas.school_class.save()
    assert client.get(url).status_code == 200


def test_homeroom_teacher_does_not_see_other_classes(personas: Personas, as_user: Any) -> None:
    stranger: Any = StudentFactory(school=personas.school, school_class__school=personas.school, name="別班生")
    client = as_user(personas.homeroom_teacher)
    assert client.get(reverse("people:student_detail", args=[stranger.pk])).status_code == 404
    assert "別班生" not in client.get(reverse("people:student_list")).content.decode()


def test_parent_sees_only_their_child(personas: Personas, as_user: Any) -> None:
    sibling_classmate: Any = StudentFactory(school_class=personas.school_class, name="同班同學")
    client = as_user(personas.parent)
    assert client.get(reverse("people:student_detail", args=[sibling_classmate.pk])).status_code == 404
    page = client.get(reverse("people:student_list")).content.decode()
    assert "同班同學" not in page and personas.student.name in page
