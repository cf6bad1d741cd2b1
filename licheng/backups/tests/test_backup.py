"""manage.py backup: a manifest with row counts and file hashes, each file copied once, clear refusals."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from licheng.audit.models import AuditEntry
from licheng.backups.models import BackupRun
from licheng.backups.tasks import run_backup
from licheng.backups.tests.conftest import Stores, sha256_of
from licheng.files.models import StoredFile
from licheng.files.tests import corpus
from licheng.people.models import Student

pytestmark = pytest.mark.django_db


def backup(*args: str) -> str:
    out = StringIO()
    call_command("backup", *args, stdout=out)
    return out.getvalue()


def manifest_of(stores: Stores, run: str) -> dict:  # type: ignore[type-arg]
    return json.loads((stores.backup / "runs" / run / "manifest.json").read_text())


def test_backup_holds_every_row_and_every_file_with_its_hash(stores: Stores, ingest: Callable[..., StoredFile]) -> None:
    essay = ingest("essay.pdf", text="Essay")
    poster = ingest("poster.png", corpus.png())
    output = backup()
    assert "Backup complete." in output

    run = BackupRun.objects.get()
    assert run.ok and run.finished_at and run.error == ""
    entry = AuditEntry.objects.get(action="backup.run")
    assert entry.school is None and entry.changes["ok"] is True and entry.changes["files_copied"] == 3
    [name] = stores.backup_runs()
    assert run.name == name
    manifest = manifest_of(stores, name)
    assert manifest["format"] == "licheng-backup/1"
    tables = manifest["database"]["tables"]
    assert tables["people.student"] == Student.objects.count() == 1
    assert tables["files.storedfile"] == 2
    assert "backups.backuprun" not in tables and "sessions.session" not in tables
    names = {entry["name"]: entry for entry in manifest["files"]}
    # the files, and the PDF's preview (made by the background job)
    essay.refresh_from_db()
    assert set(names) == {essay.storage_name, poster.storage_name, essay.preview_name}
    for entry in manifest["files"]:
        copy = stores.backup / "blobs" / entry["name"]
        assert sha256_of(copy) == entry["sha256"] == entry["name"].rsplit("/", 1)[1]
        assert copy.stat().st_size == entry["size"]
    # the dump is what the manifest says, and holds the rows
    dump = stores.backup / "runs" / name / "database.jsonl.gz"
    assert sha256_of(dump) == manifest["database"]["sha256"]
    with gzip.open(dump, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    assert len(rows) == sum(tables.values()) == run.rows
    assert {row["fields"]["original_name"] for row in rows if row["model"] == "files.storedfile"} == {
        "essay.pdf",
        "poster.png",
    }


def test_a_file_already_in_the_backup_is_not_copied_again(stores: Stores, ingest: Callable[..., StoredFile]) -> None:
    def image(n: int) -> bytes:
        return corpus.png(color=(n, 30, 30))

    ingest("a.png", image(1))
    ingest("b.png", image(2))
    backup()
    first = BackupRun.objects.get()
    assert first.files == 2 and first.files_copied == 2

    backup()
    second = BackupRun.objects.latest("id")
    assert second.ok and second.files == 2 and second.files_copied == 0 and second.bytes_copied == 0

    ingest("c.png", image(3))
    ingest("a-again.png", image(1))  # the same picture as a.png: shares its stored file
    backup()
    third = BackupRun.objects.latest("id")
    assert third.files == 3 and third.files_copied == 1  # only c.png
    assert len(stores.backup_blobs()) == 3
    assert len(stores.backup_runs()) == 3


def test_a_damaged_copy_in_the_backup_is_replaced(stores: Stores, ingest: Callable[..., StoredFile]) -> None:
    stored = ingest()
    backup()
    copy = stores.backup / "blobs" / stored.storage_name
    copy.write_bytes(b"x")  # truncated: the size no longer matches
    backup()
    assert BackupRun.objects.latest("id").files_copied == 1
    assert sha256_of(copy) == stored.sha256


def test_unwritable_location_is_refused_and_nothing_is_written(stores: Stores, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be")
    with pytest.raises(CommandError) as error:
        backup("--to", str(blocker / "backups"))
    # commands speak the platform's default language
    assert "無法寫入" in str(error.value) and "未寫入任何資料" in str(error.value)
    run = BackupRun.objects.get()
    assert not run.ok and "無法寫入" in run.error and run.finished_at is not None
    assert blocker.read_text() == "a file where the backup folder should be"


def test_read_only_file_system_is_refused(stores: Stores, ingest: Callable[..., StoredFile], tmp_path: Path) -> None:
    """A real read-only mount (root can mount tmpfs; elsewhere this one is skipped)."""
    ingest()
    target = tmp_path / "readonly"
    target.mkdir()
    mounted = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(target)],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a read-only file system here: {mounted.stderr.decode().strip()}")
    try:
        with pytest.raises(CommandError, match="無法寫入"):
            backup("--to", str(target))
        assert os.listdir(target) == []
    finally:
        subprocess.run(["umount", str(target)], check=True)  # noqa: S603, S607


def test_a_file_missing_from_storage_makes_the_backup_fail_loudly(
    stores: Stores, ingest: Callable[..., StoredFile]
) -> None:
    stored = ingest(text="gone")
    ingest(text="kept")
    stores.blob(stored).unlink()
    with pytest.raises(CommandError, match="遺失或損壞"):
        backup()
    run = BackupRun.objects.get()
    assert not run.ok and run.files_missing == 1 and "manage.py scrub" in run.error
    manifest = manifest_of(stores, run.name)
    assert manifest["missing_files"] == [stored.storage_name]
    assert stored.storage_name not in stores.backup_blobs()


def test_old_backups_are_removed_with_the_files_only_they_held(
    settings: object, stores: Stores, ingest: Callable[..., StoredFile]
) -> None:
    settings.BACKUP_KEEP = 2  # type: ignore[attr-defined]
    from licheng.audit.services import Actor
    from licheng.files.services import file_delete

    old = ingest(text="old")
    backup()
    file_delete(actor=Actor.system(), stored_file=old)
    kept = ingest(text="kept")
    backup()
    backup()
    assert len(stores.backup_runs()) == 2
    blobs = stores.backup_blobs()
    assert old.storage_name not in blobs
    assert kept.storage_name in blobs


def test_the_scheduled_job_backs_up(stores: Stores, ingest: Callable[..., StoredFile]) -> None:
    ingest()
    summary = run_backup.enqueue().return_value
    assert summary is not None and summary["files"] == 2  # the file and its preview
    run = BackupRun.objects.get()
    assert run.ok and run.name == summary["name"]
    assert stores.backup_runs() == [run.name]
