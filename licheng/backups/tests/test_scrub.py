"""manage.py scrub: every stored file re-read; deleted and corrupted files found and repaired."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from licheng.audit.models import AuditEntry
from licheng.backups.models import ScrubRun
from licheng.backups.tests.conftest import Stores, sha256_of
from licheng.files.models import StoredFile
from licheng.files.services import file_verify
from licheng.files.tests import corpus

pytestmark = pytest.mark.django_db


def scrub(*args: str) -> str:
    out = StringIO()
    call_command("scrub", *args, stdout=out)
    return out.getvalue()


def test_deleted_and_corrupted_files_are_found_and_repaired_from_the_backup(
    stores: Stores, ingest: Callable[..., StoredFile]
) -> None:
    deleted = ingest("a.png", corpus.png(color=(1, 2, 3)))
    corrupted = ingest("b.png", corpus.png(color=(4, 5, 6)))
    intact = ingest("c.png", corpus.png(color=(7, 8, 9)))
    call_command("backup", stdout=StringIO())

    stores.blob(deleted).unlink()
    damaged = bytearray(stores.blob(corrupted).read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF  # one flipped byte, same size
    stores.blob(corrupted).write_bytes(bytes(damaged))
    assert not file_verify(deleted) and not file_verify(corrupted)

    output = scrub()
    assert f"{deleted.storage_name}: missing, repaired" in output
    assert f"{corrupted.storage_name}: damaged, repaired" in output
    assert "checked 3, ok 1, repaired 2, unrecoverable 0" in output
    for stored in (deleted, corrupted, intact):
        assert file_verify(stored)
        assert sha256_of(stores.blob(stored)) == stored.sha256
    run = ScrubRun.objects.get()
    assert (run.checked, run.ok, run.repaired, run.unrecoverable) == (3, 1, 2, 0)
    entry = AuditEntry.objects.get(action="files.scrub")
    assert entry.changes["repaired"] == 2 and len(entry.changes["problems"]) == 2

    # a second pass finds nothing to do
    assert "checked 3, ok 3, repaired 0, unrecoverable 0" in scrub()


def test_a_file_without_a_good_backup_copy_is_unrecoverable_and_the_exit_is_non_zero(
    stores: Stores, ingest: Callable[..., StoredFile]
) -> None:
    backed_up = ingest("a.png", corpus.png(color=(1, 2, 3)))
    call_command("backup", stdout=StringIO())
    never_backed_up = ingest("b.png", corpus.png(color=(4, 5, 6)))
    stores.blob(never_backed_up).write_bytes(b"garbage")
    # the backup copy is damaged too
    (stores.backup / "blobs" / backed_up.storage_name).write_bytes(b"also garbage")
    stores.blob(backed_up).unlink()

    with pytest.raises(CommandError, match="2 stored file"):
        scrub()
    run = ScrubRun.objects.get()
    assert (run.checked, run.ok, run.repaired, run.unrecoverable) == (2, 0, 0, 2)
    assert {p["name"] for p in run.problems} == {backed_up.storage_name, never_backed_up.storage_name}
    # a damaged backup copy was not put in place
    assert not stores.blob(backed_up).exists()


def test_no_repair_only_reports(stores: Stores, ingest: Callable[..., StoredFile]) -> None:
    stored = ingest("a.png", corpus.png())
    call_command("backup", stdout=StringIO())
    stores.blob(stored).unlink()
    with pytest.raises(CommandError):
        scrub("--no-repair")
    assert not stores.blob(stored).exists()
