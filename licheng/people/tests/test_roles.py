"""Roles and their permissions (角色權限設定), edited per school by the school admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from licheng.audit.models import AuditEntry
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.people import role_services
from licheng.people.models import RoleGrant, RolePermission, StaffMember, User
from licheng.people.roles import DEFAULT_ROLE_PERMISSIONS, Role
from licheng.testing.personas import Personas

MATRIX = reverse("people:role_permissions")


def _table_post(school: Any, **changes: tuple[str, bool]) -> dict[str, list[str]]:
    table: dict[str, set[str]] = {role.value: set() for role in Role}
    for role, permission in RolePermission.objects.filter(school=school).values_list("role", "permission"):
        table[role].add(permission)
    for role, (permission, on) in changes.items():
        (table[role].add if on else table[role].discard)(permission)
    return {role: sorted(perms) for role, perms in table.items()}


def test_matrix_is_shown_read_only_to_others_and_editable_by_the_admin(personas: Personas, as_user: Any) -> None:
    page = as_user(personas.registry).get(MATRIX)
    assert page.status_code == 200
    assert b'type="checkbox"' not in page.content
    assert "註冊組" in page.content.decode()
    page = as_user(personas.school_admin).get(MATRIX)
    assert b'type="checkbox"' in page.content
    assert as_user(personas.student_user).get(MATRIX).status_code == 403
    assert as_user(personas.registry).post(MATRIX, {}).status_code == 403


def test_removing_a_permission_takes_effect_on_the_next_request(personas: Personas, as_user: Any) -> None:
    registry = as_user(personas.registry)
    assert registry.get(reverse("people:student_list")).status_code == 200
    admin = as_user(personas.school_admin)
    response = admin.post(MATRIX, _table_post(personas.school, registry=("people.view_students", False)))
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="roles.set_permissions")
    assert entry.changes == {"added": [], "removed": ["registry:people.view_students"]}
    registry = as_user(personas.registry)
    assert registry.get(reverse("people:student_list")).status_code == 403
    # Only this school changed.
    assert RolePermission.objects.filter(
        school=personas.other_school, role="registry", permission="people.view_students"
    ).exists()


def test_the_admin_cannot_lock_the_school_out_of_role_changes(personas: Personas, as_user: Any) -> None:
    before = (RolePermission.objects.count(), AuditEntry.objects.count())
    response = as_user(personas.school_admin).post(
        MATRIX, _table_post(personas.school, school_admin=("school.manage_roles", False))
    )
    assert response.status_code == 200
    assert "學校管理者必須保有" in response.content.decode()
    assert (RolePermission.objects.count(), AuditEntry.objects.count()) == before
    with pytest.raises(ServiceError):
        role_services.role_permission_set(
            actor=Actor(user=personas.school_admin),
            school=personas.school,
            role="school_admin",
            permission="school.manage_roles",
            granted=False,
        )


def test_role_permission_set_and_reset(personas: Personas) -> None:
    actor = Actor(user=personas.school_admin)
    role_services.role_permission_set(
        actor=actor, school=personas.school, role="subject_teacher", permission="people.view_students", granted=True
    )
    assert RolePermission.objects.filter(
        school=personas.school, role="subject_teacher", permission="people.view_students"
    ).exists()
    role_services.role_permissions_reset(actor=actor, school=personas.school)
    expected = sum(len(p) for p in DEFAULT_ROLE_PERMISSIONS.values())
    assert RolePermission.objects.filter(school=personas.school).count() == expected
    with pytest.raises(PermissionDenied):
        role_services.role_permission_set(
            actor=Actor(user=personas.registry),
            school=personas.school,
            role="registry",
            permission="audit.view",
            granted=False,
        )


def test_a_role_grant_across_schools_is_refused(personas: Personas, as_user: Any) -> None:
    before = (RoleGrant.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ServiceError) as caught:
        role_services.role_grant(
            actor=Actor(user=personas.school_admin), school=personas.school, user=personas.outsider, role="registry"
        )
    assert caught.value.field == "user"
    assert (RoleGrant.objects.count(), AuditEntry.objects.count()) == before
    # The page does not even find a user of another school.
    response = as_user(personas.school_admin).post(
        reverse("people:user_roles", args=[personas.outsider.pk]), {"role": "registry"}
    )
    assert response.status_code == 404
    assert (RoleGrant.objects.count(), AuditEntry.objects.count()) == before


def test_grant_and_revoke_roles_through_the_page(personas: Personas, as_user: Any) -> None:
    client = as_user(personas.school_admin)
    teacher = personas.subject_teacher
    url = reverse("people:user_roles", args=[teacher.pk])
    assert client.post(url, {"role": "registry"}).status_code == 302
    assert RoleGrant.objects.filter(user=teacher, role="registry").exists()
    assert client.post(reverse("people:user_role_revoke", args=[teacher.pk, "registry"])).status_code == 302
    assert not RoleGrant.objects.filter(user=teacher, role="registry").exists()
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="roles.")] == [
        "roles.grant",
        "roles.revoke",
    ]
    assert as_user(personas.registry).post(url, {"role": "school_admin"}).status_code == 403


def test_the_last_school_admin_keeps_the_role(personas: Personas, as_user: Any) -> None:
    client = as_user(personas.school_admin)
    admin = personas.school_admin
    client.post(reverse("people:user_role_revoke", args=[admin.pk, "school_admin"]))
    assert RoleGrant.objects.filter(user=admin, role="school_admin").exists()


def test_staff_accounts_with_roles(personas: Personas, as_user: Any) -> None:
    libit = User.objects.create(username="libit", school=personas.school, name="圖資組長")
    StaffMember.objects.create(school=personas.school, user=libit, name="圖資組長")
    RoleGrant.objects.create(school=personas.school, user=libit, role="library_it")
    client = as_user(libit)
    data = {"username": "newteacher", "name": "周老師", "roles": ["subject_teacher"]}
    assert client.post(reverse("people:staff_create"), data).status_code == 302
    new = User.objects.get(username="newteacher")
    assert set(RoleGrant.objects.filter(user=new).values_list("role", flat=True)) == {"subject_teacher"}
    # An office role needs someone who may grant roles.
    response = client.post(reverse("people:staff_create"), {**data, "username": "clerk", "roles": ["registry"]})
    assert response.status_code == 200
    assert not User.objects.filter(username="clerk").exists()
    # The admin may.
    staff = StaffMember.objects.get(user=new)
    response = as_user(personas.school_admin).post(
        reverse("people:staff_edit", args=[staff.pk]), {"name": "周老師", "roles": ["subject_teacher", "curriculum"]}
    )
    assert response.status_code == 302
    assert set(RoleGrant.objects.filter(user=new).values_list("role", flat=True)) == {"subject_teacher", "curriculum"}
    page = as_user(personas.school_admin).get(reverse("people:staff_list")).content.decode()
    assert "周老師" in page and "教學組" in page
    assert "外校管理員" not in page
