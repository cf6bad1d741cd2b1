"""Audit pages and API: who may read the trail, what they see, and that it stays in their school."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.template import Context, RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from licheng.audit.models import AuditEntry
from licheng.audit.services import Actor, record
from licheng.testing.clients import client_in
from licheng.testing.factories import StudentFactory
from licheng.testing.personas import Personas


def _history_url(obj: object) -> str:
    return reverse("audit:object_history", args=[obj._meta.label_lower, str(obj.pk)])  # type: ignore[attr-defined]


def _client(user: object, language: str = "zh-hant") -> Client:
    return client_in(language, user)


@pytest.fixture
def changed_student(personas: Personas) -> AuditEntry:
    return record(
        actor=Actor(user=personas.school_admin, ip_address="198.51.100.4").acting_for(personas.registry),
        school=personas.school,
        action="student.update",
        obj=personas.student,
        changes={"seat": [3, 7], "name": ["陳小明", "陳大明"]},
    )


def test_history_shows_who_for_whom_when_where_and_what(personas: Personas, changed_student: AuditEntry) -> None:
    response = _client(personas.school_admin, "en").get(_history_url(personas.student))
    assert response.status_code == 200
    page = response.content.decode()
    assert "student.update" in page
    assert f"by {personas.school_admin} on behalf of {personas.registry}" in page
    assert "198.51.100.4" in page
    local = timezone.localtime(changed_student.at)
    assert f"{local.year - 1911}.{local:%m.%d %H:%M}" in page  # ROC date and time
    assert "陳大明" in page
    assert '<th scope="row">seat</th><td>3</td><td>7</td>' in page


def test_history_newest_first(personas: Personas, changed_student: AuditEntry) -> None:
    later = record(
        actor=Actor(user=personas.registry), school=personas.school, action="student.later", obj=personas.student
    )
    page = _client(personas.school_admin).get(_history_url(personas.student)).content.decode()
    assert page.index(f'id="entry-{later.pk}"') < page.index(f'id="entry-{changed_student.pk}"')


def test_history_of_object_without_entries_is_an_empty_state(personas: Personas) -> None:
    response = _client(personas.registry, "en").get(_history_url(personas.course))
    assert response.status_code == 200
    assert "Nothing has been recorded about this record yet" in response.content.decode()


@pytest.mark.parametrize("name", ["student", "parent", "subject_teacher", "homeroom_teacher"])
def test_history_needs_audit_view(personas: Personas, changed_student: AuditEntry, name: str) -> None:
    user = personas.by_name()[name]
    assert _client(user).get(_history_url(personas.student)).status_code == 403
    assert _client(user).get(reverse("audit:activity")).status_code == 403


def test_history_anonymous_goes_to_login(personas: Personas) -> None:
    response = Client().get(_history_url(personas.student))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_another_schools_object_is_not_found(personas: Personas, changed_student: AuditEntry) -> None:
    # The outsider is admin (with audit.view) of the other school.
    client = _client(personas.outsider)
    assert client.get(_history_url(personas.student)).status_code == 404
    assert client.get(_history_url(personas.school)).status_code == 404
    assert client.get(reverse("audit:object_history", args=["no.such", "1"])).status_code == 404
    assert client.get(reverse("audit:object_history", args=["people.student", "abc"])).status_code == 404
    assert "student.update" not in client.get(reverse("audit:activity")).content.decode()


def test_activity_lists_only_own_school(personas: Personas, changed_student: AuditEntry) -> None:
    theirs = record(
        actor=Actor(user=personas.outsider), school=personas.other_school, action="theirs.x", obj=personas.outsider
    )
    page = _client(personas.school_admin).get(reverse("audit:activity")).content.decode()
    assert "student.update" in page
    assert "theirs.x" not in page
    assert f'id="entry-{theirs.pk}"' not in page


def test_activity_filters(personas: Personas, changed_student: AuditEntry) -> None:
    record(
        actor=Actor(user=personas.subject_teacher), school=personas.school, action="course.update", obj=personas.course
    )
    client = _client(personas.school_admin)
    url = reverse("audit:activity")

    page = client.get(url, {"action": "course.update"}).content.decode()
    assert "course.update" in page and 'title="student.update"' not in page

    page = client.get(url, {"actor": personas.subject_teacher.username}).content.decode()
    assert 'title="course.update"' in page and 'title="student.update"' not in page

    # On-behalf-of counts as involvement: searching the principal finds the proxy's change.
    page = client.get(url, {"actor": personas.registry.username}).content.decode()
    assert 'title="student.update"' in page and 'title="course.update"' not in page

    today = timezone.localdate()
    roc_today = f"{today.year - 1911}.{today:%m.%d}"
    assert 'title="student.update"' in client.get(url, {"date_from": roc_today, "date_to": roc_today}).content.decode()
    tomorrow = today + datetime.timedelta(days=1)
    client.cookies["django_language"] = "en"
    response = client.get(url, {"date_from": f"{tomorrow.year - 1911}.{tomorrow:%m.%d}"})
    assert "No entry matches these filters" in response.content.decode()


def test_activity_bad_date_is_explained(personas: Personas, changed_student: AuditEntry) -> None:
    response = _client(personas.school_admin, "en").get(reverse("audit:activity"), {"date_from": "not a date"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="errorlist"' in page
    assert "is not an ROC date" in page
    # The mistyped filter is ignored; the list still shows.
    assert 'title="student.update"' in page


def test_activity_query_count_is_constant(personas: Personas, django_assert_max_num_queries: object) -> None:
    client = _client(personas.school_admin)
    url = reverse("audit:activity")
    client.get(url)  # warm up: session, content types
    for i in range(60):
        student: Any = StudentFactory(school_class=personas.school_class)
        record(actor=Actor(user=personas.registry), school=personas.school, action=f"test.{i % 3}", obj=student)
    # session, user with school, roles, permissions, distinct actions, count, one page of entries
    # (actor and on-behalf-of joined).
    with django_assert_max_num_queries(7):  # type: ignore[operator]
        response = client.get(url, {"page": 2})
    assert response.status_code == 200
    assert "Page 2 of" in response.content.decode() or "第 2" in response.content.decode()


def test_history_link_tag(personas: Personas, changed_student: AuditEntry) -> None:
    template = Template("{% load audit %}{% audit_history_link obj %}")
    request = RequestFactory().get("/")
    request.school = personas.school  # type: ignore[attr-defined]

    request.user = personas.school_admin
    assert _history_url(personas.student) in template.render(RequestContext(request, {"obj": personas.student}))

    request.user = personas.student_user
    assert template.render(RequestContext(request, {"obj": personas.student})).strip() == ""
    assert Template("{% load audit %}{% audit_history_link obj %}").render(Context({"obj": None})) == ""


def test_api_lists_entries_of_an_object(personas: Personas, changed_student: AuditEntry) -> None:
    record(actor=Actor(user=personas.registry), school=personas.school, action="course.update", obj=personas.course)
    client = _client(personas.registry)
    response = client.get(
        "/api/v1/audit/entries", {"object_type": "people.student", "object_id": str(personas.student.pk)}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["action"] == "student.update"
    assert item["actor"] == personas.school_admin.username
    assert item["on_behalf_of"] == personas.registry.username
    assert item["ip_address"] == "198.51.100.4"
    assert item["changes"]["seat"] == [3, 7]


def test_api_needs_audit_view_and_stays_in_school(personas: Personas, changed_student: AuditEntry) -> None:
    assert _client(personas.subject_teacher).get("/api/v1/audit/entries").status_code == 403
    assert _client(personas.student_user).get("/api/v1/audit/entries").status_code == 403
    response = _client(personas.outsider).get(
        "/api/v1/audit/entries", {"object_type": "people.student", "object_id": str(personas.student.pk)}
    )
    assert response.status_code == 200
    assert response.json()["count"] == 0
