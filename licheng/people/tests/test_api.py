"""``/api/v1/people``: same permissions and tenancy as the pages."""

from __future__ import annotations

import datetime
import json
from typing import Any

from licheng.audit.models import AuditEntry
from licheng.people.models import ProxyAssignment, RoleGrant, RolePermission, Student
from licheng.people.roles import Role
from licheng.testing.factories import SchoolClassFactory, StudentFactory, fictional_national_id
from licheng.testing.personas import Personas

BASE = "/api/v1/people"


def _foreign_class(personas: Personas) -> int:
    school_class: Any = SchoolClassFactory(school=personas.other_school)
    return int(school_class.pk)


def _json(client: Any, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_students_list_masks_ids_unless_permitted(personas: Personas, as_user: Any) -> None:
    number = personas.student.national_id
    rows = as_user(personas.registry).get(f"{BASE}/students").json()
    assert [r["national_id"] for r in rows] == [number]
    rows = as_user(personas.homeroom_teacher).get(f"{BASE}/students").json()
    assert [r["national_id"] for r in rows] == [number[:3] + "****" + number[-3:]]
    assert as_user(personas.other_teacher).get(f"{BASE}/students").json() == []
    assert as_user(personas.student_user).get(f"{BASE}/students").status_code == 403


def test_student_detail_of_another_school_is_404(personas: Personas, as_user: Any) -> None:
    url = f"{BASE}/students/{personas.student.pk}"
    assert as_user(personas.outsider).get(url).status_code == 404
    assert as_user(personas.other_teacher).get(url).status_code == 404
    assert as_user(personas.parent).get(url).json()["name"] == personas.student.name


def test_create_student(personas: Personas, as_user: Any) -> None:
    client = as_user(personas.registry)
    body = {
        "student_number": "1140777",
        "name": "API 生",
        "national_id": fictional_national_id(1),
        "birth_date": "2009-01-02",
        "sex": 1,
        "class_id": personas.school_class.pk,
        "entry_year": 114,
    }
    response = _json(client, "post", f"{BASE}/students", body)
    assert response.status_code == 201, response.content
    assert response.json()["national_id"] == body["national_id"]
    before = (Student.objects.count(), AuditEntry.objects.count())
    for change, field in (
        ({"national_id": "A12345"}, "national_id"),
        ({"national_id": "A123456788"}, "national_id"),
        ({"student_number": "1140777"}, "student_number"),
        ({"class_id": _foreign_class(personas)}, "class_id"),
        ({"birth_date": "1890-01-01"}, "birth_date"),
        ({"status": "nonsense"}, "status"),
    ):
        response = _json(
            client,
            "post",
            f"{BASE}/students",
            {**body, "student_number": "1140778", "national_id": fictional_national_id(2), **change},
        )
        assert response.status_code == 422, change
        assert response.json()["field"] == field
        assert response.json()["message"]
    assert (Student.objects.count(), AuditEntry.objects.count()) == before
    assert _json(as_user(personas.homeroom_teacher), "post", f"{BASE}/students", body).status_code == 403


def test_roles_table_and_replace(personas: Personas, as_user: Any) -> None:
    data = as_user(personas.registry).get(f"{BASE}/roles").json()
    assert "people.view_students" in data["table"]["registry"]
    assert {r["code"] for r in data["roles"]} == set(Role.values)
    table = data["table"]
    table["registry"] = [p for p in table["registry"] if p != "people.view_students"]
    assert _json(as_user(personas.registry), "put", f"{BASE}/roles/permissions", {"table": table}).status_code == 403
    response = _json(as_user(personas.school_admin), "put", f"{BASE}/roles/permissions", {"table": table})
    assert response.status_code == 200
    assert "people.view_students" not in response.json()["table"]["registry"]
    assert as_user(personas.registry).get(f"{BASE}/students").status_code == 403
    locked = {**table, "school_admin": []}
    before = RolePermission.objects.count()
    response = _json(as_user(personas.school_admin), "put", f"{BASE}/roles/permissions", {"table": locked})
    assert response.status_code == 422
    assert RolePermission.objects.count() == before


def test_role_grants(personas: Personas, as_user: Any) -> None:
    client = as_user(personas.school_admin)
    response = _json(
        client, "post", f"{BASE}/role-grants", {"user_id": personas.subject_teacher.pk, "role": "guidance"}
    )
    assert response.status_code == 201
    grant_id = response.json()["id"]
    before = (RoleGrant.objects.count(), AuditEntry.objects.count())
    response = _json(client, "post", f"{BASE}/role-grants", {"user_id": personas.outsider.pk, "role": "registry"})
    # Another school's user answers exactly like a user that does not exist, without a name.
    assert response.status_code == 404
    assert "外校管理員" not in response.content.decode()
    unknown = _json(client, "post", f"{BASE}/role-grants", {"user_id": 987654, "role": "registry"})
    assert (unknown.status_code, unknown.json()) == (404, response.json())
    response = _json(client, "post", f"{BASE}/role-grants", {"user_id": personas.subject_teacher.pk, "role": "king"})
    assert response.status_code == 422
    assert (RoleGrant.objects.count(), AuditEntry.objects.count()) == before
    assert as_user(personas.outsider).delete(f"{BASE}/role-grants/{grant_id}").status_code == 404
    assert as_user(personas.school_admin).delete(f"{BASE}/role-grants/{grant_id}").status_code == 204
    assert not RoleGrant.objects.filter(pk=grant_id).exists()


def test_proxies(personas: Personas, as_user: Any) -> None:
    client = as_user(personas.subject_teacher)
    body = {
        "proxy_id": personas.other_teacher.pk,
        "duty": "certify_course",
        "course_id": personas.course.pk,
        "starts_on": "2025-09-01",
        "ends_on": "2025-09-30",
    }
    response = _json(client, "post", f"{BASE}/proxies", body)
    assert response.status_code == 201, response.content
    assignment_id = response.json()["id"]
    response = _json(client, "post", f"{BASE}/proxies", {**body, "order": 1, "proxy_id": personas.homeroom_teacher.pk})
    assert response.status_code == 422 and response.json()["field"] == "order"
    response = _json(client, "post", f"{BASE}/proxies", {**body, "proxy_id": personas.outsider.pk})
    assert response.status_code == 422
    # Assigning for someone else needs proxies.manage.
    response = _json(
        as_user(personas.other_teacher),
        "post",
        f"{BASE}/proxies",
        {**body, "principal_id": personas.subject_teacher.pk},
    )
    assert response.status_code == 403
    assert [a["id"] for a in as_user(personas.other_teacher).get(f"{BASE}/proxies").json()] == [assignment_id]
    assert as_user(personas.registry).get(f"{BASE}/proxies?all=true").json() == []
    assert as_user(personas.outsider).delete(f"{BASE}/proxies/{assignment_id}").status_code == 404
    assert as_user(personas.other_teacher).delete(f"{BASE}/proxies/{assignment_id}").status_code == 403
    assert as_user(personas.subject_teacher).delete(f"{BASE}/proxies/{assignment_id}").status_code == 204
    assert not ProxyAssignment.objects.exists()


def test_staff_list(personas: Personas, as_user: Any) -> None:
    rows = as_user(personas.registry).get(f"{BASE}/staff").json()
    names = {r["username"]: r["roles"] for r in rows}
    assert names["registry"] == ["registry"] and "outsider" not in names
    assert as_user(personas.student_user).get(f"{BASE}/staff").status_code == 403


def test_api_list_queries_do_not_grow(personas: Personas, as_user: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(personas.registry)
    client.get(f"{BASE}/students")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{BASE}/students")
    for _ in range(30):
        StudentFactory(school_class=personas.school_class)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"{BASE}/students").json()) == 31
    assert len(many.captured_queries) == len(few.captured_queries)
    _ = datetime
