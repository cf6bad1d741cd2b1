"""Backups that restore: making a backup run, pruning old runs, and the status the admin page shows.

The location's layout and file copies are in ``store``, the database dump in ``dump``, restoring
in ``restore`` and the integrity scrub in ``scrub`` (docs/operations.md describes the manifest)."""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import os
import secrets
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.backups.dump import applied_migrations, consistent_snapshot, dump_database
from licheng.backups.models import BackupRun
from licheng.backups.store import (
    BLOBS,
    DUMP_NAME,
    FORMAT,
    MANIFEST_NAME,
    RUNS,
    backup_storage,
    check_writable,
    copy_verified,
    describe,
    is_local,
    list_runs,
    put_bytes,
    read_manifest,
    sha256_file,
    stored_size,
    walk,
)
from licheng.core.errors import ServiceError
from licheng.files.services import hash_stored, sha256_of_name, write_blob

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class BackupResult:
    run: BackupRun
    name: str
    location: str
    tables: int = 0


def _run_name(now: datetime.datetime) -> str:
    """Sorts in time order (microseconds included: runs can follow each other within a second)."""
    return now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S.%fZ") + "-" + secrets.token_hex(3)


def backup_create(
    *, actor: Actor, to: str | os.PathLike[str] | None = None, using: str = DEFAULT_DB_ALIAS
) -> BackupResult:
    """Back up the database and every stored file. Raises ServiceError (and records the failed
    run) when the location is not writable or the dump cannot be written; a run is good only once
    its manifest is written. Files already in the location are not copied again."""
    storage = backup_storage(to)
    where = describe(storage)
    run = BackupRun.objects.using(using).create(destination=where[:500])
    try:
        result = _backup(storage, run, using, actor)
    except ServiceError as error:
        _finish(run, ok=False, error=str(error.message), using=using, actor=actor)
        raise
    except Exception as error:
        logger.exception("backup to %s failed", where)
        _finish(run, ok=False, error=f"{error.__class__.__name__}: {error}", using=using, actor=actor)
        raise ServiceError(_("The backup to %(where)s failed: %(error)s") % {"where": where, "error": error}) from error
    try:
        _prune(storage, keep=settings.BACKUP_KEEP)
    except Exception:  # the backup itself is good; an old run left behind is removed next time
        logger.exception("could not remove old backups at %s", where)
    return result


def _finish(run: BackupRun, *, ok: bool, error: str = "", using: str, actor: Actor | None = None) -> None:
    """Close the run and write it to the deployment's audit chain (after the snapshot: the entry
    is in the next backup, not this one)."""
    with transaction.atomic(using=using):
        run.ok = ok
        run.error = error
        run.finished_at = timezone.now()
        run.save(using=using)
        record(
            actor=actor or Actor.system(),
            school=None,
            action="backup.run",
            obj=run,
            changes={
                "ok": ok,
                "name": run.name,
                "destination": run.destination,
                "rows": run.rows,
                "files": run.files,
                "files_copied": run.files_copied,
                "files_missing": run.files_missing,
                "error": error,
            },
        )


def _backup(storage: Storage, run: BackupRun, using: str, actor: Actor) -> BackupResult:
    check_writable(storage)
    started = timezone.now()
    name = _run_name(started)
    run.name = name
    fd, dump_path = tempfile.mkstemp(prefix="licheng-dump-", suffix=".jsonl.gz")
    os.close(fd)
    written: list[str] = []
    try:
        with consistent_snapshot(using) as snapshot:
            snapshot_at = timezone.now()
            counts, files = dump_database(dump_path, snapshot)
            migrations = applied_migrations(snapshot)
        dump_sha = sha256_file(dump_path)
        dump_size = os.path.getsize(dump_path)
        dump_name = f"{RUNS}/{name}/{DUMP_NAME}"
        write_blob(storage, dump_name, dump_path)
        written.append(dump_name)
        if hash_stored(dump_name, storage) != dump_sha:
            raise OSError(f"{dump_name} did not verify after writing")

        entries: list[dict[str, Any]] = []
        missing: list[str] = []
        copied = bytes_copied = total_bytes = 0
        for file_name, known_size in files:
            sha256 = sha256_of_name(file_name)
            target = f"{BLOBS}/{file_name}"
            have = stored_size(storage, target)
            if have is not None and (known_size < 0 or have == known_size):
                size = have
            else:
                copied_size = copy_verified(default_storage, file_name, storage, target)
                if copied_size is None:
                    missing.append(file_name)
                    logger.error("backup: %s is missing or damaged in storage", file_name)
                    continue
                size = copied_size
                copied += 1
                bytes_copied += size
            total_bytes += size
            entries.append({"name": file_name, "sha256": sha256, "size": size})

        manifest = {
            "format": FORMAT,
            "name": name,
            "started_at": started.isoformat(),
            "snapshot_at": snapshot_at.isoformat(),
            "finished_at": timezone.now().isoformat(),
            "database": {
                "vendor": connections[using].vendor,
                "file": DUMP_NAME,
                "sha256": dump_sha,
                "size": dump_size,
                "serialization": "django-jsonl",
                "migrations": migrations,
                "tables": counts,
            },
            "files": entries,
            "missing_files": missing,
        }
        put_bytes(
            storage,
            f"{RUNS}/{name}/{MANIFEST_NAME}",
            json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode(),
        )
    except BaseException:
        for leftover in written:
            try:
                storage.delete(leftover)
            except Exception:
                logger.warning("could not remove %s", leftover, exc_info=True)
        raise
    finally:
        Path(dump_path).unlink(missing_ok=True)

    run.database_bytes = dump_size
    run.rows = sum(counts.values())
    run.files = len(entries)
    run.files_bytes = total_bytes
    run.files_copied = copied
    run.bytes_copied = bytes_copied
    run.files_missing = len(missing)
    error = ""
    if missing:
        error = _("%(n)d stored file(s) were missing or damaged and are not in this backup; run manage.py scrub.") % {
            "n": len(missing)
        }
    _finish(run, ok=not missing, error=error, using=using, actor=actor)
    return BackupResult(run=run, name=name, location=describe(storage), tables=len(counts))


def _prune(storage: Storage, *, keep: int) -> None:
    """Keep the newest ``keep`` runs; remove older ones and file copies no kept run refers to."""
    if keep < 1:
        return
    runs = list_runs(storage)
    if len(runs) <= keep:
        return
    kept, dropped = runs[-keep:], runs[:-keep]
    for name in dropped:
        for path in list(walk(storage, f"{RUNS}/{name}")):
            storage.delete(path)
        if is_local(storage):
            for folder in (Path(storage.path(f"{RUNS}/{name}")),):
                with suppress(OSError):
                    folder.rmdir()
    wanted = set()
    for name in kept:
        wanted |= {f"{BLOBS}/{entry['name']}" for entry in read_manifest(storage, name)["files"]}
    for path in list(walk(storage, f"{BLOBS}/sha256")):
        if path not in wanted:
            storage.delete(path)


@dataclasses.dataclass
class BackupStatus:
    last_good: BackupRun | None
    last_run: BackupRun | None
    max_age_hours: int
    age_hours: float | None

    @property
    def stale(self) -> bool:
        return self.age_hours is None or self.age_hours > self.max_age_hours


def backup_status(now: datetime.datetime | None = None) -> BackupStatus:
    now = now or timezone.now()
    last_good = BackupRun.objects.filter(ok=True).order_by("-finished_at", "-id").first()
    last_run = BackupRun.objects.order_by("-started_at", "-id").first()
    age = None
    if last_good is not None and last_good.finished_at is not None:
        age = (now - last_good.finished_at).total_seconds() / 3600
    return BackupStatus(
        last_good=last_good, last_run=last_run, max_age_hours=settings.BACKUP_MAX_AGE_HOURS, age_hours=age
    )
