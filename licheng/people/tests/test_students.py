"""Registering and changing students through the pages: every bad input gets a clear message
in the user's language and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from licheng.audit.models import AuditEntry
from licheng.people.models import RoleGrant, Student, User
from licheng.people.tests.conftest import student_form_data
from licheng.testing.factories import SchoolClassFactory, StudentFactory
from licheng.testing.personas import Personas

CREATE = reverse("people:student_create")


def _nothing_written(before_students: int, before_audit: int) -> None:
    assert Student.objects.count() == before_students
    assert AuditEntry.objects.count() == before_audit


def test_registry_registers_a_student(personas: Personas, as_user: Any) -> None:
    client = as_user(personas.registry)
    data = student_form_data(personas)
    response = client.post(CREATE, data)
    assert response.status_code == 302
    student = Student.objects.get(student_number="1149999")
    assert student.national_id == data["national_id"]
    assert str(student.birth_date) == "2009-03-15"  # ROC 98.03.15
    assert student.user.username == "111111-1149999"
    assert not student.user.has_usable_password()
    assert RoleGrant.objects.filter(user=student.user, role="student").exists()
    entry = AuditEntry.objects.get(action="student.create")
    assert entry.actor == personas.registry and entry.on_behalf_of is None
    assert data["national_id"] not in str(entry.changes)


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"national_id": "12345"}, "national_id", "不是身分證號"),
        ({"national_id": "A123456788"}, "national_id", "檢查碼錯誤"),
        ({"birth_date": "098.02.30"}, "birth_date", "30"),
        ({"birth_date": "98.13.01"}, "birth_date", "13"),
        ({"student_number": "__DUP__"}, "student_number", "已被本校其他學生使用"),
        ({"seat": "__TAKEN__"}, "seat", "已有人"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    personas: Personas, as_user: Any, overrides: dict[str, str], field: str, expected: str
) -> None:
    if overrides.get("student_number") == "__DUP__":
        overrides = {"student_number": personas.student.student_number}
        expected = f"{personas.student.student_number} 已被本校其他學生使用"
    if overrides.get("seat") == "__TAKEN__":
        personas.student.seat = 12  # factory seat numbers keep counting across the test session
        personas.student.save()
        overrides = {"seat": "12"}
    counts = (Student.objects.count(), AuditEntry.objects.count())
    users = User.objects.count()
    response = as_user(personas.registry).post(CREATE, student_form_data(personas, **overrides))
    assert response.status_code == 200
    assert expected in str(response.context["form"].errors[field])
    assert expected in response.content.decode()
    _nothing_written(*counts)
    assert User.objects.count() == users


def test_duplicate_national_id_is_refused(personas: Personas, as_user: Any) -> None:
    counts = (Student.objects.count(), AuditEntry.objects.count())
    data = student_form_data(personas, national_id=personas.student.national_id.lower())
    response = as_user(personas.registry).post(CREATE, data)
    assert "此身分證號已屬於本校另一位學生" in response.content.decode()
    _nothing_written(*counts)


def test_a_class_of_another_school_is_refused(personas: Personas, as_user: Any) -> None:
    foreign_class: Any = SchoolClassFactory(school=personas.other_school, name="301")
    counts = (Student.objects.count(), AuditEntry.objects.count())
    response = as_user(personas.registry).post(CREATE, student_form_data(personas, school_class=str(foreign_class.pk)))
    assert response.status_code == 200
    assert "這不是本校的班級" in response.content.decode()
    _nothing_written(*counts)


def test_service_refuses_a_class_of_another_school(personas: Personas) -> None:
    from licheng.audit.services import Actor
    from licheng.core.errors import ServiceError
    from licheng.people.services import student_create

    foreign_class: Any = SchoolClassFactory(school=personas.other_school, name="302")
    counts = (Student.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ServiceError) as caught:
        student_create(
            actor=Actor(user=personas.registry),
            school=personas.school,
            student_number="1140500",
            name="某生",
            national_id="A123456789",
            birth_date=personas.student.birth_date,
            sex=1,
            division=personas.school_class.division,
            school_class=foreign_class,
            entry_year=114,
        )
    assert caught.value.field == "school_class"
    assert "302" in caught.value.message
    _nothing_written(*counts)


def test_edit_profile_and_find_the_status_changes(personas: Personas, as_user: Any) -> None:
    client = as_user(personas.registry)
    student = personas.student
    url = reverse("people:student_edit", args=[student.pk])
    assert client.get(url).status_code == 200
    data = student_form_data(
        personas, student_number=student.student_number, national_id=student.national_id, name="陳大明", seat="7"
    )
    assert client.post(url, data).status_code == 302
    student.refresh_from_db()
    assert (student.name, student.seat, student.user.name) == ("陳大明", 7, "陳大明")
    entry = AuditEntry.objects.filter(action="student.update").latest("id")
    assert entry.changes["name"] == ["陳小明", "陳大明"]
    # Status changes (transfer, suspension, graduation …) are the lifecycle's, with history and sealing.
    page = client.get(reverse("people:student_detail", args=[student.pk])).content.decode()
    assert reverse("lifecycle:student", args=[student.pk]) in page


def test_teachers_cannot_register_students(personas: Personas, as_user: Any) -> None:
    assert as_user(personas.homeroom_teacher).get(CREATE).status_code == 403
    response = as_user(personas.homeroom_teacher).post(CREATE, student_form_data(personas))
    assert response.status_code == 403
    assert not Student.objects.filter(student_number="1149999").exists()


def test_the_national_id_is_not_stored_in_plain_text(personas: Personas) -> None:
    number = personas.student.national_id
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT national_id_cipher, national_id_digest FROM people_student WHERE id = %s", [personas.student.pk]
        )
        cipher, digest = cursor.fetchone()
    assert number not in cipher and number not in digest
    assert number[3:7] not in cipher


def test_registry_sees_the_full_id_and_the_homeroom_teacher_a_masked_one(personas: Personas, as_user: Any) -> None:
    number = personas.student.national_id
    masked = number[:3] + "****" + number[-3:]
    url = reverse("people:student_detail", args=[personas.student.pk])
    registry_page = as_user(personas.registry).get(url).content.decode()
    assert number in registry_page
    homeroom_page = as_user(personas.homeroom_teacher).get(url).content.decode()
    assert masked in homeroom_page and number not in homeroom_page
    list_page = as_user(personas.homeroom_teacher).get(reverse("people:student_list")).content.decode()
    assert masked in list_page and number not in list_page
    # The student sees their own number; their parent a masked one.
    assert number in as_user(personas.student_user).get(url).content.decode()
    parent_page = as_user(personas.parent).get(url).content.decode()
    assert masked in parent_page and number not in parent_page


def test_student_list_filters_and_search(personas: Personas, as_user: Any) -> None:
    other_class = SchoolClassFactory(school=personas.school, name="201", grade=11)
    StudentFactory(school_class=other_class, name="吳同學", student_number="1130001")
    client = as_user(personas.registry)
    url = reverse("people:student_list")
    assert "吳同學" in client.get(url, {"grade": "11"}).content.decode()
    assert personas.student.name not in client.get(url, {"grade": "11"}).content.decode()
    assert "吳同學" not in client.get(url, {"school_class": personas.school_class.pk}).content.decode()
    assert "吳同學" in client.get(url, {"q": "1130001"}).content.decode()
    assert "吳同學" not in client.get(url, {"status": "graduated"}).content.decode()


def test_student_list_queries_do_not_grow_with_rows(
    personas: Personas, as_user: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    client = as_user(personas.registry)
    url = reverse("people:student_list")
    client.get(url)  # warm up the session
    with CaptureQueriesContext(conn) as few:
        assert client.get(url).status_code == 200
    for _ in range(40):
        StudentFactory(school_class=personas.school_class)
    # session, user with school, role grants, role permissions, office-proxy permissions, class choices
    # of the filter form, page count, page rows; plus the session save.
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 41


def test_parents_are_created_and_linked_within_the_school(personas: Personas, as_user: Any) -> None:
    client = as_user(personas.registry)
    student = personas.student
    response = client.post(
        reverse("people:parent_create", args=[student.pk]), {"username": "dad", "name": "陳爸爸", "relation": "父"}
    )
    assert response.status_code == 302
    dad = User.objects.get(username="dad")
    assert dad.school == personas.school and not dad.has_usable_password()
    assert student.parent_links.filter(parent=dad).exists()
    # Linking an account of another school: no such account here.
    response = client.post(reverse("people:parent_link", args=[student.pk]), {"username": "outsider"})
    assert response.status_code == 200
    assert student.parent_links.count() == 2
    # Linking the same parent twice is refused.
    response = client.post(reverse("people:parent_link", args=[student.pk]), {"username": "dad"})
    assert "已連結" in response.content.decode()
    link = student.parent_links.get(parent=dad)
    assert client.post(reverse("people:parent_unlink", args=[student.pk, link.pk])).status_code == 302
    assert not student.parent_links.filter(parent=dad).exists()


def test_editing_without_the_id_permission_keeps_the_id_masked(personas: Personas, as_user: Any) -> None:
    from licheng.audit.services import Actor
    from licheng.people.role_services import role_permission_set

    # Curriculum clerks may edit profiles here but not see IDs.
    role_permission_set(
        actor=Actor(user=personas.school_admin),
        school=personas.school,
        role="curriculum",
        permission="people.manage_students",
        granted=True,
    )
    from licheng.testing.factories import make_staff

    clerk = make_staff(personas.school, "curriculum", username="clerk")
    student = personas.student
    number = student.national_id
    url = reverse("people:student_edit", args=[student.pk])
    page = as_user(clerk).get(url).content.decode()
    assert number not in page and number[:3] + "****" in page
    form = as_user(clerk).get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update({"name": "陳明明", "birth_date": "098.05.17", "seat": "5"})  # factory seats may pass 99
    assert as_user(clerk).post(url, {k: v for k, v in data.items() if v is not None}).status_code == 302
    student.refresh_from_db()
    assert student.name == "陳明明" and student.national_id == number


ROSTER = {
    "group_code": "21",
    "programme_code": "101",
    "class_type": "1",
    "special_statuses": "1、5",
    "indigenous_ethnicity": "01",
    "indigenous_status": "1",
    "indigenous_language_dialect": "南勢阿美語",
    "indigenous_language_exam_year": "113",
    "indigenous_language_valid_until": "1151101",
    "experimental_class": "數理資優實驗班",
    "admission_route": "02",
}


def test_the_form_holds_the_roster_codes_and_the_page_shows_them(personas: Personas, as_user: Any) -> None:
    import datetime

    client = as_user(personas.registry)
    student = personas.student
    url = reverse("people:student_edit", args=[student.pk])
    base = student_form_data(personas, student_number=student.student_number, national_id=student.national_id)
    assert "族語認證有效日期" in client.get(url).content.decode()
    assert client.post(url, {**base, **ROSTER}).status_code == 302
    student.refresh_from_db()
    assert (student.group_code, student.programme_code, student.special_statuses) == ("21", "101", "1,5")
    assert student.indigenous_language_exam_year == 113
    assert student.indigenous_language_valid_until == datetime.date(2026, 11, 1)
    assert AuditEntry.objects.filter(action="student.update").latest("id").changes["group_code"] == ["", "21"]
    page = client.get(reverse("people:student_detail", args=[student.pk])).content.decode()
    for shown in ("群別代碼", "21", "科班學程別代碼", "101", "1,5", "南勢阿美語", "115.11.01", "數理資優實驗班"):
        assert shown in page
    # Bad codes: a message on the field, nothing changed.
    before = AuditEntry.objects.count()
    page = client.post(url, {**base, **ROSTER, "group_code": "2-1", "name": "別人"}).content.decode()
    assert "代碼最多 4 個數字或英文字母，不是「2-1」。" in page
    page = client.post(url, {**base, **ROSTER, "indigenous_language_exam_year": "50"}).content.decode()
    assert "報考年度為民國年，從 90 到" in page
    page = client.post(url, {**base, **ROSTER, "indigenous_language_valid_until": "115.02.30"}).content.decode()
    assert "115.02 沒有 30 日。" in page
    student.refresh_from_db()
    assert (student.name, student.group_code) != ("別人", "2-1")
    assert AuditEntry.objects.count() == before
    # The homeroom teacher sees the student, not their special statuses or indigenous fields.
    shown = as_user(personas.homeroom_teacher).get(reverse("people:student_detail", args=[student.pk]))
    assert shown.status_code == 200 and "南勢阿美語" not in shown.content.decode()
