"""An upgrade's new permission codes reach their default roles once; the admin's changes survive."""

from __future__ import annotations

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django_scopes import scopes_disabled

from licheng.audit.models import AuditEntry
from licheng.core import permission_upgrades
from licheng.core.models import KnownPermission
from licheng.people.models import RolePermission
from licheng.people.roles import DEFAULT_ROLE_PERMISSIONS, PERMISSIONS, Role
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def upgrade() -> None:
    """What ``manage.py migrate`` does last, after applying the upgrade's migrations."""
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")


def _granted(personas: Personas, role: str) -> set[str]:
    with scopes_disabled():
        return set(
            RolePermission.objects.filter(school=personas.school, role=role).values_list("permission", flat=True)
        )


def test_an_opened_school_knows_every_current_code(personas: Personas) -> None:
    with scopes_disabled():
        known = set(KnownPermission.objects.filter(school=personas.school).values_list("permission", flat=True))
    assert known == set(PERMISSIONS)
    assert permission_upgrades.grant_new_permissions() == {}


def test_a_code_added_by_an_upgrade_is_granted_once_and_a_removal_survives(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(PERMISSIONS, "reports.view_new", "See the new reports")
    monkeypatch.setitem(
        DEFAULT_ROLE_PERMISSIONS, Role.REGISTRY, DEFAULT_ROLE_PERMISSIONS[Role.REGISTRY] | {"reports.view_new"}
    )

    upgrade()

    assert "reports.view_new" in _granted(personas, Role.REGISTRY)
    assert "reports.view_new" not in _granted(personas, Role.STUDENT)

    # The school admin takes it away again; the next upgrade does not give it back.
    with scopes_disabled():
        RolePermission.objects.filter(school=personas.school, permission="reports.view_new").delete()
    upgrade()
    assert "reports.view_new" not in _granted(personas, Role.REGISTRY)


def test_a_school_from_the_first_release_gets_everything_added_since(personas: Personas) -> None:
    newer = sorted(set(PERMISSIONS) - permission_upgrades.FIRST_RELEASE)
    with scopes_disabled():
        KnownPermission.objects.filter(school=personas.school).delete()
        RolePermission.objects.filter(school=personas.school, permission__in=newer).delete()
    granted = permission_upgrades.grant_new_permissions()
    assert granted[personas.school.code] == newer
    for role, codes in DEFAULT_ROLE_PERMISSIONS.items():
        assert _granted(personas, role) == set(codes)
    # The trail says what happened.
    with scopes_disabled():
        entry = AuditEntry.objects.filter(school=personas.school, action="roles.grant_new_permissions").get()
    assert entry.changes["permissions"] == newer
