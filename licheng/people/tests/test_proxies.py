"""Proxies (代理人, 代理順位): who may act for whom, when, in which order; and the trail."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from licheng.audit.models import AuditEntry
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.people import proxies as proxy_services
from licheng.people import role_services, selectors
from licheng.people.models import Duty, ProxyAssignment, Student
from licheng.people.roles import Role
from licheng.people.tests.conftest import student_form_data
from licheng.testing.factories import make_staff
from licheng.testing.personas import Personas

D = datetime.date
TODAY = selectors.today()


def _assign(personas: Personas, proxy: Any, **kwargs: Any) -> ProxyAssignment:
    defaults: dict[str, Any] = {
        "actor": Actor(user=personas.subject_teacher),
        "school": personas.school,
        "principal": personas.subject_teacher,
        "proxy": proxy,
        "duty": Duty.CERTIFY_COURSE,
        "course": personas.course,
        "starts_on": D(2025, 9, 1),
        "ends_on": D(2025, 9, 30),
    }
    return proxy_services.proxy_assign(**{**defaults, **kwargs})


def test_principals_for_follows_the_date_range(personas: Personas) -> None:
    _assign(personas, personas.other_teacher)
    course = personas.course
    for day, expected in (
        (D(2025, 8, 31), []),
        (D(2025, 9, 1), [personas.subject_teacher]),
        (D(2025, 9, 30), [personas.subject_teacher]),
        (D(2025, 10, 1), []),
    ):
        found = list(selectors.principals_for(personas.other_teacher, Duty.CERTIFY_COURSE, course=course, on=day))
        assert found == expected, day
    assert (
        list(
            selectors.principals_for(
                personas.other_teacher, Duty.CERTIFY_COURSE, course=personas.other_course, on=D(2025, 9, 10)
            )
        )
        == []
    )
    assert selectors.can_act_for(
        personas.other_teacher, personas.subject_teacher, Duty.CERTIFY_COURSE, course=course, on=D(2025, 9, 10)
    )


def test_active_proxies_come_in_proxy_order(personas: Personas) -> None:
    second = make_staff(personas.school, Role.SUBJECT_TEACHER, username="second")
    _assign(personas, second, order=2)
    first = _assign(personas, personas.other_teacher)  # next free number would be 3; but 1 is free
    assert first.order == 3
    proxy_services.proxy_update(actor=Actor(user=personas.subject_teacher), assignment=first, order=1)
    proxies = selectors.active_proxies(
        personas.subject_teacher, Duty.CERTIFY_COURSE, course=personas.course, on=D(2025, 9, 15)
    )
    assert [a.proxy for a in proxies] == [personas.other_teacher, second]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"course": "other"}, "course"),  # a course the principal does not teach
        ({"starts_on": D(2025, 10, 1)}, "ends_on"),  # dates out of order
        ({"order": 1, "proxy": "second"}, "order"),  # order 1 taken in an overlapping period
        ({"proxy": "principal"}, "proxy"),  # one's own proxy
        ({"proxy": "student"}, "proxy"),  # a student is not staff
        ({"proxy": "outsider"}, "proxy"),  # another school's person
        ({"duty": Duty.OFFICE_ENTRY, "course": None, "office": "registry"}, "office"),  # office not held
    ],
)
def test_bad_assignments_are_refused(personas: Personas, kwargs: dict[str, Any], field: str) -> None:
    _assign(personas, personas.other_teacher, order=1)
    people = {
        "second": make_staff(personas.school, Role.SUBJECT_TEACHER, username="second"),
        "principal": personas.subject_teacher,
        "student": personas.student_user,
        "outsider": personas.outsider,
    }
    resolved = {k: people.get(v, v) if isinstance(v, str) and k == "proxy" else v for k, v in kwargs.items()}
    if resolved.get("course") == "other":
        resolved["course"] = personas.other_course
    before = (ProxyAssignment.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ServiceError) as caught:
        _assign(personas, resolved.pop("proxy", people["second"]), **resolved)
    assert caught.value.field == field
    assert (ProxyAssignment.objects.count(), AuditEntry.objects.count()) == before


def test_only_the_working_group_assigns_for_someone_else(personas: Personas, as_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        _assign(personas, personas.homeroom_teacher, actor=Actor(user=personas.other_teacher))
    group = make_staff(personas.school, Role.WORKING_GROUP, username="wg")
    assignment = _assign(personas, personas.homeroom_teacher, actor=Actor(user=group))
    entry = AuditEntry.objects.get(action="proxy.assign")
    assert entry.actor == group and entry.object_id == str(assignment.pk)
    # The page: the working group sees everyone's assignments, a teacher only theirs.
    assert "王導師" in as_user(group).get(reverse("people:proxy_list")).content.decode()
    assert "王導師" not in as_user(personas.registry).get(reverse("people:proxy_list")).content.decode()
    assert "王導師" in as_user(personas.subject_teacher).get(reverse("people:proxy_list")).content.decode()
    # The proxy cannot revoke it; the principal can.
    revoke = reverse("people:proxy_revoke", args=[assignment.pk])
    assert as_user(personas.homeroom_teacher).post(revoke).status_code == 403
    assert as_user(personas.registry).post(revoke).status_code == 404
    assert as_user(personas.subject_teacher).post(revoke).status_code == 302
    assert not ProxyAssignment.objects.exists()


def test_a_teacher_assigns_their_own_proxy_through_the_page(personas: Personas, as_user: Any) -> None:
    client = as_user(personas.subject_teacher)
    url = reverse("people:proxy_create")
    data = {
        "proxy": personas.other_teacher.pk,
        "duty": Duty.CERTIFY_COURSE,
        "course": personas.course.pk,
        "starts_on": "114.09.01",
        "ends_on": "114.09.31",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # 114.09.31 does not exist
    assert not ProxyAssignment.objects.exists()
    response = client.post(url, {**data, "ends_on": "114.08.31"})
    assert response.status_code == 200
    assert "早於" in str(response.context["form"].errors["ends_on"])  # "the end date is before the start date"
    response = client.post(url, {**data, "ends_on": "114.09.30"})
    assert response.status_code == 302
    assignment = ProxyAssignment.objects.get()
    assert (assignment.principal, assignment.order, assignment.ends_on) == (personas.subject_teacher, 1, D(2025, 9, 30))
    # A student may not assign proxies.
    assert as_user(personas.student_user).get(url).status_code == 403


def test_an_office_proxy_enters_data_on_behalf_of_the_office_holder(personas: Personas, as_user: Any) -> None:
    proxy_services.proxy_assign(
        actor=Actor(user=personas.registry),
        school=personas.school,
        principal=personas.registry,
        proxy=personas.other_teacher,
        duty=Duty.OFFICE_ENTRY,
        office=Role.REGISTRY,
        starts_on=TODAY - datetime.timedelta(days=1),
        ends_on=TODAY + datetime.timedelta(days=1),
    )
    client = as_user(personas.other_teacher)
    # Through the same screens as the registry.
    assert client.get(reverse("people:student_list")).status_code == 200
    response = client.post(reverse("people:student_create"), student_form_data(personas))
    assert response.status_code == 302
    student = Student.objects.get(student_number="1149999")
    entry = AuditEntry.objects.get(action="student.create", object_id=str(student.pk))
    assert entry.actor == personas.other_teacher
    assert entry.on_behalf_of == personas.registry
    # Once the registry clerk no longer holds the office, the proxy can do nothing for it.
    role_services.role_revoke(
        actor=Actor(user=personas.school_admin), school=personas.school, user=personas.registry, role="registry"
    )
    assert as_user(personas.other_teacher).get(reverse("people:student_create")).status_code == 403


def test_an_expired_office_proxy_cannot_act(personas: Personas, as_user: Any) -> None:
    proxy_services.proxy_assign(
        actor=Actor(user=personas.registry),
        school=personas.school,
        principal=personas.registry,
        proxy=personas.other_teacher,
        duty=Duty.OFFICE_ENTRY,
        office=Role.REGISTRY,
        starts_on=TODAY - datetime.timedelta(days=10),
        ends_on=TODAY - datetime.timedelta(days=1),
    )
    assert as_user(personas.other_teacher).get(reverse("people:student_create")).status_code == 403


def test_a_certifying_proxy_sees_the_course_students(personas: Personas, as_user: Any) -> None:
    url = reverse("people:student_detail", args=[personas.student.pk])
    assert as_user(personas.other_teacher).get(url).status_code == 404
    _assign(personas, personas.other_teacher, starts_on=TODAY, ends_on=TODAY)
    assert as_user(personas.other_teacher).get(url).status_code == 200


def test_a_proxy_without_a_course_covers_every_course_of_a_teacher_on_leave(personas: Personas, as_user: Any) -> None:
    url = reverse("people:student_detail", args=[personas.student.pk])
    _assign(personas, personas.other_teacher, course=None, starts_on=TODAY, ends_on=TODAY)
    assert as_user(personas.other_teacher).get(url).status_code == 200
    taught = personas.course
    assert list(selectors.principals_for(personas.other_teacher, Duty.CERTIFY_COURSE, course=taught)) == [
        personas.subject_teacher
    ]
    # Not a course someone else teaches.
    assert not selectors.can_act_for(
        personas.other_teacher, personas.subject_teacher, Duty.CERTIFY_COURSE, course=personas.other_course
    )


def test_the_proxy_list_shows_no_stray_colon_for_a_duty_without_course_or_office(personas: Personas) -> None:
    from django.utils.html import escape

    from licheng.testing.clients import client_in

    p = personas
    today = datetime.date.today()
    ProxyAssignment.objects.create(
        school=p.school,
        principal=p.subject_teacher,
        proxy=p.other_teacher,
        duty=Duty.CERTIFY_COURSE,
        course=None,  # every course of the principal
        order=1,
        starts_on=today,
        ends_on=today,
    )
    page = client_in("en", p.school_admin).get(reverse("people:proxy_list")).content.decode()
    label = escape(str(Duty.CERTIFY_COURSE.label))
    assert f"<td>{label}</td>" in page and f"<td>{label}: </td>" not in page
