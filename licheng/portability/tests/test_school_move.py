"""A school leaves one deployment with everything and arrives at another that already serves a
school: same rows, same files, the audit chain intact; a damaged folder or a code already here is
refused with nothing imported."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_scopes import scopes_disabled

from licheng.audit.models import AuditEntry
from licheng.audit.services import verify_chains
from licheng.core.demo.curriculum import DEMO_PASSWORD
from licheng.credentials.models import Credential
from licheng.credentials.verify import verify_token
from licheng.files.models import StoredFile
from licheng.people.models import Student
from licheng.portability import schema
from licheng.portability.dump import rows_of
from licheng.portability.load import verify_archived_chain
from licheng.portability.models import ArchivedAuditEntry, SchoolImport
from licheng.schools.models import School

pytestmark = pytest.mark.django_db(transaction=True)


def use_storage(settings: Any, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None, "file_permissions_mode": 0o600},
        },
    }


def counts_of(school: School) -> dict[str, int]:
    return {schema.label(m): rows_of(m, school).count() for m in schema.record_models()}


def file_hashes(school: School) -> dict[str, str]:
    """stored file's recorded SHA-256 → SHA-256 of the bytes in storage."""
    result = {}
    for stored in StoredFile.objects.filter(school=school):
        with default_storage.open(stored.storage_name, "rb") as f:
            result[stored.sha256] = hashlib.sha256(f.read()).hexdigest()
    return result


def test_demo_school_moves_to_another_deployment(settings: Any, tmp_path: Path) -> None:
    use_storage(settings, tmp_path / "source-files")
    call_command("demo_school", "--students", "10", "--schools", "2", stdout=io.StringIO())
    with scopes_disabled():
        source = School.objects.get(code="100002")
        counts = counts_of(source)
        hashes = file_hashes(source)
        chain = list(
            AuditEntry.objects.filter(chain=str(source.pk)).order_by("id").values_list("entry_hash", flat=True)
        )
        national_ids = {s.student_number: s.national_id for s in Student.objects.filter(school=source)}
        tokens = list(Credential.objects.filter(school=source).values_list("token", flat=True))
    assert counts["people.student"] >= 10 and hashes and len(chain) > 50 and tokens
    assert all(recorded == actual for recorded, actual in hashes.items())
    folder = tmp_path / "export"
    call_command("school_export", "--school", "100002", "--to", str(folder), stdout=io.StringIO())

    # Another deployment: an empty database and storage, then its own school, whose ids collide.
    call_command("flush", interactive=False)
    use_storage(settings, tmp_path / "target-files")
    call_command("demo_school", "--students", "10", "--schools", "1", stdout=io.StringIO())
    with scopes_disabled():
        neighbour = School.objects.get(code="100001")
        neighbour_before = counts_of(neighbour)
        neighbour_chain = AuditEntry.objects.filter(chain=str(neighbour.pk)).count()
    call_command("school_import", str(folder), stdout=io.StringIO())

    with scopes_disabled():
        moved = School.objects.get(code="100002")
        assert counts_of(moved) == counts
        assert file_hashes(moved) == hashes
        archived = list(ArchivedAuditEntry.objects.filter(school=moved).order_by("position"))
        assert [a.entry_hash for a in archived] == chain
        assert verify_archived_chain(moved) is None
        id_map = SchoolImport.objects.get(school=moved).id_map
        assert any(int(old) != new for old, new in id_map["people.user"].items())  # ids were remapped
        checked, problems = verify_chains()
        assert problems == [] and checked > 0
        assert AuditEntry.objects.filter(school=moved, action="school.import").count() == 1
        assert counts_of(neighbour) == neighbour_before
        assert AuditEntry.objects.filter(chain=str(neighbour.pk)).count() == neighbour_chain
        assert {s.student_number: s.national_id for s in Student.objects.filter(school=moved)} == national_ids
        assert all(verify_token(t).code in ("ok", "revoked") for t in tokens)
        assert sum(verify_token(t).ok for t in tokens) >= 1
    # The people can log in with their passwords as before.
    assert Client().login(username="100002-student", password=DEMO_PASSWORD)

    # Again: refused, the school is here already; nothing more is written.
    with pytest.raises(CommandError, match="already exists"):
        call_command("school_import", str(folder))
    with scopes_disabled():
        assert School.objects.filter(code="100002").count() == 1


def test_damaged_folder_is_refused_and_nothing_is_imported(settings: Any, tmp_path: Path) -> None:
    use_storage(settings, tmp_path / "files")
    call_command("demo_school", "--students", "10", "--schools", "2", stdout=io.StringIO())
    folder = tmp_path / "export"
    call_command("school_export", "--school", "100002", "--to", str(folder), stdout=io.StringIO())
    call_command("flush", interactive=False)
    use_storage(settings, tmp_path / "target-files")

    changed = tmp_path / "changed"
    shutil.copytree(folder, changed)
    a_file = next((changed / "files").iterdir())
    data = bytearray(a_file.read_bytes())
    data[len(data) // 2] ^= 1
    a_file.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="does not match its SHA-256"):
        call_command("school_import", str(changed))

    missing = tmp_path / "missing"
    shutil.copytree(folder, missing)
    (missing / "records" / "people.student.jsonl").unlink()
    with pytest.raises(CommandError, match=r"missing from the folder: records/people\.student\.jsonl"):
        call_command("school_import", str(missing))

    forged = tmp_path / "forged"
    shutil.copytree(folder, forged)
    audit = forged / "audit.jsonl"
    audit.write_text(audit.read_text().replace('"action":"', '"action":"x', 1))
    manifest = forged / "MANIFEST.sha256"
    lines = [
        f"{hashlib.sha256(audit.read_bytes()).hexdigest()}  audit.jsonl" if line.endswith("  audit.jsonl") else line
        for line in manifest.read_text().splitlines()
    ]
    manifest.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("school_import", str(forged))

    with scopes_disabled():
        assert not School.objects.exists()
    assert not any(p.is_file() for p in (tmp_path / "target-files").rglob("*"))
