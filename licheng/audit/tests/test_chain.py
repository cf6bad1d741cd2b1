"""The audit trail: every service change writes an entry; the hash chain exposes any tampering."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from licheng.audit.models import AuditChainHead, AuditEntry
from licheng.audit.services import Actor, chain_of, record, verify_chains
from licheng.people.role_services import role_grant
from licheng.testing.factories import UserFactory, make_school
from licheng.testing.personas import Personas

TABLE = AuditEntry._meta.db_table


def _raw(sql: str, params: list[Any]) -> None:
    """Tamper the way an attacker with database access would: around the model, not through it."""
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{table}", connection.ops.quote_name(TABLE)), params)


def _verify() -> str:
    """Run ``verify_audit``; return what it printed on success."""
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=StringIO())
    return out.getvalue()


def _entries(personas: Personas, count: int = 4) -> list[AuditEntry]:
    actor = Actor(user=personas.school_admin, ip_address="192.0.2.7")
    return [
        record(
            actor=actor, school=personas.school, action="test.change", obj=personas.student, changes={"n": [i, i + 1]}
        )
        for i in range(count)
    ]


def test_service_writes_entry_with_actor_proxy_and_address(personas: Personas) -> None:
    actor = Actor(user=personas.school_admin, ip_address="203.0.113.9").acting_for(personas.registry)
    role_grant(actor=actor, school=personas.school, user=personas.subject_teacher, role="course_counsellor")

    entry = AuditEntry.objects.filter(school=personas.school).order_by("-id").first()
    assert entry is not None
    assert entry.action == "roles.grant"
    assert entry.actor == personas.school_admin
    assert entry.on_behalf_of == personas.registry
    assert entry.ip_address == "203.0.113.9"
    assert entry.object_type == "people.user"
    assert entry.object_id == str(personas.subject_teacher.pk)
    assert entry.changes == {"role": "course_counsellor"}
    assert entry.at is not None


def test_acting_for_oneself_is_not_a_proxy(personas: Personas) -> None:
    actor = Actor(user=personas.school_admin)
    assert actor.acting_for(personas.school_admin).on_behalf_of is None


def test_clean_chain_verifies(personas: Personas) -> None:
    _entries(personas)
    assert "audit trail ok" in _verify()
    checked, problems = verify_chains()
    assert problems == []
    assert checked >= 4


def test_changed_row_fails_and_names_the_entry(personas: Personas) -> None:
    entries = _entries(personas)
    target = entries[1]
    _raw("UPDATE {table} SET object_repr = %s WHERE id = %s", ["someone else", target.pk])

    with pytest.raises(CommandError) as excinfo:
        _verify()
    assert f"entry {target.pk}" in str(excinfo.value)
    assert "changed" in str(excinfo.value)


def test_changed_changes_field_fails(personas: Personas) -> None:
    entries = _entries(personas)
    _raw("UPDATE {table} SET changes = %s WHERE id = %s", ['{"n": [0, 99]}', entries[0].pk])
    with pytest.raises(CommandError, match=f"entry {entries[0].pk}"):
        _verify()


def test_deleted_middle_row_fails_at_the_next_entry(personas: Personas) -> None:
    entries = _entries(personas)
    _raw("DELETE FROM {table} WHERE id = %s", [entries[1].pk])

    with pytest.raises(CommandError) as excinfo:
        _verify()
    assert f"entry {entries[2].pk}" in str(excinfo.value)
    assert "removed" in str(excinfo.value)


def test_deleted_last_row_fails(personas: Personas) -> None:
    entries = _entries(personas)
    _raw("DELETE FROM {table} WHERE id = %s", [entries[-1].pk])

    with pytest.raises(CommandError) as excinfo:
        _verify()
    assert "removed" in str(excinfo.value)
    assert f"after entry {entries[-2].pk}" in str(excinfo.value)


def test_rehashed_row_still_breaks_the_next_link(personas: Personas) -> None:
    """Recomputing a changed row's own hash does not help: the next entry still points at the old one."""
    from licheng.audit.services import compute_hash

    entries = _entries(personas)
    target = AuditEntry.objects.get(pk=entries[1].pk)
    target.object_repr = "forged"
    new_hash = compute_hash(target.previous_hash, target)
    _raw("UPDATE {table} SET object_repr = %s, entry_hash = %s WHERE id = %s", ["forged", new_hash, target.pk])

    with pytest.raises(CommandError, match=f"entry {entries[2].pk}"):
        _verify()


def test_model_refuses_changes_and_deletes(personas: Personas) -> None:
    entry = _entries(personas, 1)[0]
    entry.action = "other"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
    with pytest.raises(RuntimeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="other")
    with pytest.raises(RuntimeError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.change"
    assert "audit trail ok" in _verify()


def test_two_schools_have_separate_chains(personas: Personas) -> None:
    mine = _entries(personas, 2)
    theirs = record(
        actor=Actor(user=personas.outsider), school=personas.other_school, action="test.change", obj=personas.outsider
    )
    assert {e.chain for e in mine} == {chain_of(personas.school)}
    assert theirs.chain == chain_of(personas.other_school) != chain_of(personas.school)
    # Each chain links only its own entries.
    assert theirs.previous_hash == AuditEntry.objects.filter(chain=theirs.chain).exclude(pk=theirs.pk).last().entry_hash  # type: ignore[union-attr]
    assert mine[1].previous_hash == mine[0].entry_hash

    # Tampering with one school's chain names that chain and leaves the other one intact.
    _raw("UPDATE {table} SET action = %s WHERE id = %s", ["forged", mine[0].pk])
    _, problems = verify_chains()
    assert [p.chain for p in problems] == [chain_of(personas.school)]


def test_deployment_wide_entries_chain_separately(db: None) -> None:
    operator: Any = UserFactory(is_superuser=True)
    school = make_school()
    entry = record(actor=Actor(user=operator), school=None, action="test.deployment", obj=school)
    assert entry.chain == "-"
    assert AuditChainHead.objects.get(chain="-").last_hash == entry.entry_hash
    assert "audit trail ok" in _verify()
