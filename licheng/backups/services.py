"""Backups that restore, and the integrity scrub.

A backup location (a folder, or a bucket through django-storages) holds::

    blobs/sha256/ab/cd/<sha256>        every stored file, once (content-addressed, shared by runs)
    runs/<name>/database.jsonl.gz      every row of every table, one JSON object per line
    runs/<name>/manifest.json          written last: a run without it is not a backup

The database dump is Django's ``jsonl`` serialization (``{"model": "app.model", "pk": …,
"fields": {…}}`` per line) of one consistent moment (a REPEATABLE READ transaction on PostgreSQL;
on SQLite a copy made with the online backup API). It restores into SQLite or PostgreSQL alike.
See docs/operations.md for the manifest's fields.
"""

from __future__ import annotations

import dataclasses
import datetime
import gzip
import hashlib
import json
import logging
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from licheng.audit.services import Actor, record
from licheng.backups.models import BackupRun, ScrubRun
from licheng.core.errors import ServiceError
from licheng.files.services import CHUNK, hash_stored, sha256_of_name, write_blob

logger = logging.getLogger(__name__)

FORMAT = "licheng-backup/1"
DUMP_NAME = "database.jsonl.gz"
MANIFEST_NAME = "manifest.json"
BLOBS = "blobs"
RUNS = "runs"
# Not part of a backup: sessions (everyone logs in again) and the backup records themselves (they
# describe the old deployment's backup location).
EXCLUDED_APPS = {"sessions", "backups"}
# Created by ``migrate`` in every deployment; a restore replaces them with the backup's own rows.
MIGRATE_CREATED = {"contenttypes.contenttype", "auth.permission"}


# --- locations ------------------------------------------------------------------------------------


def backup_storage(path: str | os.PathLike[str] | None = None) -> Storage:
    """The backup location: ``path`` (a folder) when given, else the configured one."""
    if path is not None:
        return FileSystemStorage(
            location=str(Path(path).expanduser().resolve()),
            base_url=None,
            file_permissions_mode=0o600,
            directory_permissions_mode=0o700,
        )
    return storages["backups"]


def describe(storage: Storage) -> str:
    if isinstance(storage, FileSystemStorage):
        return str(storage.location)
    bucket = getattr(storage, "bucket_name", "")
    location = getattr(storage, "location", "")
    return f"s3://{bucket}/{location}".rstrip("/")


def _is_local(storage: Storage) -> bool:
    return isinstance(storage, FileSystemStorage)


def _put_bytes(storage: Storage, name: str, data: bytes) -> None:
    """Write a small object whole (a temporary name and a rename on a folder)."""
    fd, tmp = tempfile.mkstemp(prefix="licheng-backup-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        write_blob(storage, name, tmp)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _read_bytes(storage: Storage, name: str) -> bytes:
    with storage.open(name, "rb") as fh:
        return fh.read()  # type: ignore[no-any-return]


def _exists(storage: Storage, name: str) -> bool:
    try:
        return bool(storage.exists(name))
    except Exception:
        logger.warning("could not check %s", name, exc_info=True)
        return False


def _size(storage: Storage, name: str) -> int | None:
    try:
        return int(storage.size(name))
    except Exception:  # noqa: BLE001 - absent or unreadable
        return None


def _walk(storage: Storage, prefix: str) -> Iterator[str]:
    """Every file name under ``prefix`` (recursive)."""
    try:
        folders, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{prefix}/{name}"
    for folder in folders:
        yield from _walk(storage, f"{prefix}/{folder}")


def _check_writable(storage: Storage) -> None:
    """Write and remove a probe; raise ServiceError naming the place when that fails."""
    probe = f"{RUNS}/.probe-{secrets.token_hex(6)}"
    try:
        _put_bytes(storage, probe, b"probe")
        storage.delete(probe)
    except Exception as error:  # noqa: BLE001 - any refusal: not writable
        raise ServiceError(
            _("The backup location %(where)s is not writable (%(error)s). Nothing was written.")
            % {"where": describe(storage), "error": error}
        ) from None


# --- the database ---------------------------------------------------------------------------------


def dumped_models(using: str = DEFAULT_DB_ALIAS) -> list[type[models.Model]]:
    """Every table a backup holds (a model whose table migrate has not made yet holds no rows)."""
    # Foreign keys are checked at commit (both databases create them deferrable), so the order of
    # tables does not matter for a restore.
    existing = set(connections[using].introspection.table_names())
    return [
        model
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.app_label not in EXCLUDED_APPS
        and model._meta.db_table in existing
    ]


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a restore must give back the very same values
    (the audit trail's hashes cover them)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


@contextmanager
def _snapshot(using: str) -> Iterator[str]:
    """A database alias that sees one moment of the whole database, inside a transaction.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction (writers carry on). SQLite: the online
    backup API copies the file page by page into a temporary file in one consistent read (writers
    carry on in WAL mode), and the dump reads that copy. Inside an outer transaction (tests) the
    outer transaction's view is used as it is."""
    connection = connections[using]
    outer = connection.in_atomic_block
    if connection.vendor == "sqlite" and not outer and not getattr(connection, "is_in_memory_db", lambda: True)():
        with _sqlite_copy(using) as alias, transaction.atomic(using=alias):
            yield alias
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield using


@contextmanager
def _sqlite_copy(using: str) -> Iterator[str]:
    import sqlite3

    source = connections[using]
    source.ensure_connection()
    fd, copy = tempfile.mkstemp(prefix="licheng-snapshot-", suffix=".sqlite3")
    os.close(fd)
    alias = f"licheng_snapshot_{secrets.token_hex(4)}"
    try:
        target = sqlite3.connect(copy)
        try:
            source.connection.backup(target)  # type: ignore[union-attr]
        finally:
            target.close()
        connections.settings[alias] = {**connections.settings[using], "NAME": copy, "OPTIONS": {}}
        try:
            yield alias
        finally:
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(copy + suffix).unlink(missing_ok=True)


def _counted(queryset: Iterable[models.Model], counter: dict[str, int], label: str) -> Iterator[models.Model]:
    for obj in queryset:
        counter[label] += 1
        yield obj


def _dump_database(path: str, using: str) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Write every row to ``path`` (gzip JSON lines); return row counts per table and the stored
    file names (with sizes) the dump refers to. Runs inside the caller's snapshot."""
    from licheng.files.models import StoredFile

    counts: dict[str, int] = {}
    serializer = serializers.get_serializer("jsonl")()
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for model in dumped_models(using):
            label = _label(model)
            counts[label] = 0
            queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
            many = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]  # type: ignore[union-attr]
            if many:
                queryset = queryset.prefetch_related(*many)
            serializer.serialize(
                _counted(queryset.iterator(chunk_size=2000), counts, label), stream=out, cls=_ExactEncoder
            )
    files: dict[str, int] = {}
    with scopes_disabled():
        for name, size in StoredFile.objects.using(using).values_list("storage_name", "size"):
            files[name] = size
        for preview in StoredFile.objects.using(using).exclude(preview_name="").values_list("preview_name", flat=True):
            files.setdefault(preview, -1)  # size unknown: taken from the stored file
    return counts, sorted(files.items())


def _sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- copying files --------------------------------------------------------------------------------


def _download_verified(storage: Storage, name: str, sha256: str) -> str | None:
    """Copy ``name`` from ``storage`` to a temporary file, hashing on the way. Returns the path
    when the bytes match ``sha256`` (the caller deletes it), else None (nothing left behind)."""
    fd, tmp = tempfile.mkstemp(prefix="licheng-backup-")
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, storage.open(name, "rb") as src:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except Exception:  # noqa: BLE001 - missing or unreadable
        Path(tmp).unlink(missing_ok=True)
        return None
    if digest.hexdigest() != sha256:
        Path(tmp).unlink(missing_ok=True)
        return None
    return tmp


def _copy_verified(src: Storage, src_name: str, dst: Storage, dst_name: str) -> int | None:
    """Copy one content-addressed file, checking its hash before and after. Returns its size, or
    None when the source is missing or damaged (nothing is written then)."""
    sha256 = sha256_of_name(src_name)
    tmp = _download_verified(src, src_name, sha256)
    if tmp is None:
        return None
    try:
        size = os.path.getsize(tmp)
        write_blob(dst, dst_name, tmp)
    finally:
        Path(tmp).unlink(missing_ok=True)
    if hash_stored(dst_name, dst) != sha256:
        with suppress(Exception):
            dst.delete(dst_name)
        raise OSError(f"{dst_name} did not verify after copying")
    return size


# --- backup ---------------------------------------------------------------------------------------


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
    _check_writable(storage)
    started = timezone.now()
    name = _run_name(started)
    run.name = name
    fd, dump_path = tempfile.mkstemp(prefix="licheng-dump-", suffix=".jsonl.gz")
    os.close(fd)
    written: list[str] = []
    try:
        with _snapshot(using) as snapshot:
            snapshot_at = timezone.now()
            counts, files = _dump_database(dump_path, snapshot)
            migrations = _applied_migrations(snapshot)
        dump_sha = _sha256_file(dump_path)
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
            have = _size(storage, target)
            if have is not None and (known_size < 0 or have == known_size):
                size = have
            else:
                copied_size = _copy_verified(default_storage, file_name, storage, target)
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
        _put_bytes(
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


def _applied_migrations(using: str) -> list[str]:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


# --- runs and retention ---------------------------------------------------------------------------


def list_runs(storage: Storage) -> list[str]:
    """Names of complete runs (those with a manifest), oldest first."""
    try:
        folders, _files = storage.listdir(RUNS)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(name for name in folders if _exists(storage, f"{RUNS}/{name}/{MANIFEST_NAME}"))


def read_manifest(storage: Storage, name: str) -> dict[str, Any]:
    return json.loads(_read_bytes(storage, f"{RUNS}/{name}/{MANIFEST_NAME}"))  # type: ignore[no-any-return]


def _prune(storage: Storage, *, keep: int) -> None:
    """Keep the newest ``keep`` runs; remove older ones and file copies no kept run refers to."""
    if keep < 1:
        return
    runs = list_runs(storage)
    if len(runs) <= keep:
        return
    kept, dropped = runs[-keep:], runs[:-keep]
    for name in dropped:
        for path in list(_walk(storage, f"{RUNS}/{name}")):
            storage.delete(path)
        if _is_local(storage):
            for folder in (Path(storage.path(f"{RUNS}/{name}")),):
                with suppress(OSError):
                    folder.rmdir()
    wanted = set()
    for name in kept:
        wanted |= {f"{BLOBS}/{entry['name']}" for entry in read_manifest(storage, name)["files"]}
    for path in list(_walk(storage, f"{BLOBS}/sha256")):
        if path not in wanted:
            storage.delete(path)


# --- restore --------------------------------------------------------------------------------------


@dataclasses.dataclass
class RestoreResult:
    name: str
    rows: int
    tables: int
    files: int
    missing_files: list[str]


def _find_run(path: str | os.PathLike[str] | None, run: str | None) -> tuple[Storage, str]:
    """The backup location and run name: ``path`` may be the location or one run's folder."""
    if path is not None:
        folder = Path(path).expanduser().resolve()
        if not folder.is_dir():
            raise ServiceError(_("%(path)s is not a folder holding a backup.") % {"path": folder})
        if (folder / MANIFEST_NAME).is_file() and folder.parent.name == RUNS:
            return backup_storage(folder.parent.parent), folder.name
        storage = backup_storage(folder)
    else:
        storage = backup_storage()
    runs = list_runs(storage)
    if run is not None:
        if run not in runs:
            raise ServiceError(
                _("There is no complete backup named %(name)s at %(where)s.")
                % {"name": run, "where": describe(storage)}
            )
        return storage, run
    if not runs:
        raise ServiceError(_("There is no complete backup at %(where)s.") % {"where": describe(storage)})
    return storage, runs[-1]


def deployment_contents(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What makes this deployment non-empty: tables with rows (beyond what migrate creates), and
    stored files. Empty list: a restore may proceed."""
    found = []
    for model in dumped_models(using):
        if _label(model) in MIGRATE_CREATED:
            continue
        count = model._base_manager.using(using).count()
        if count:
            found.append(f"{_label(model)}: {count}")
    if next(_walk(default_storage, "sha256"), None) is not None:
        found.append(_("stored files under sha256/"))
    return found


@contextmanager
def _raw_timestamps() -> Iterator[None]:
    """Keep restored timestamps: bulk inserts would otherwise stamp auto_now(_add) fields with now."""
    changed: list[tuple[Any, bool, bool]] = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                changed.append((field, field.auto_now, field.auto_now_add))  # type: ignore[attr-defined]
                field.auto_now = field.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in changed:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _load_database(path: str, using: str) -> dict[str, int]:
    """Insert every row of the dump (inside the caller's transaction); returns counts per table."""
    counts: dict[str, int] = {}
    batch: list[models.Model] = []
    batch_model: type[models.Model] | None = None
    m2m: list[tuple[models.Model, dict[str, Any]]] = []

    def flush() -> None:
        nonlocal batch
        if batch and batch_model is not None:
            if batch_model._meta.parents:  # multi-table inheritance: bulk_create cannot, save raw rows
                for obj in batch:
                    obj.save_base(using=using, raw=True)
            else:
                batch_model._base_manager.using(using).bulk_create(batch, batch_size=500)
        batch = []

    with gzip.open(path, "rt", encoding="utf-8") as fh, _raw_timestamps():
        for deserialized in serializers.deserialize("jsonl", fh, using=using, ignorenonexistent=False):
            obj = deserialized.object
            model = type(obj)
            if model is not batch_model or len(batch) >= 2000:
                flush()
                batch_model = model
            batch.append(obj)
            counts[_label(model)] = counts.get(_label(model), 0) + 1
            relations: dict[str, Any] = {k: v for k, v in (deserialized.m2m_data or {}).items() if v}
            if relations:
                m2m.append((obj, relations))
        flush()
    for obj, relations in m2m:
        for field_name, values in relations.items():
            getattr(obj, field_name).set(values)
    return counts


def _reset_sequences(using: str, restored: list[type[models.Model]]) -> None:
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), restored)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def restore_backup(
    *, actor: Actor, path: str | os.PathLike[str] | None = None, run: str | None = None, using: str = DEFAULT_DB_ALIAS
) -> RestoreResult:
    """Rebuild an empty deployment (database migrated, no rows; storage without files) from a
    backup. Refuses with ServiceError and changes nothing when the deployment is not empty, the
    backup is incomplete or any file or the dump does not match its hash."""
    storage, name = _find_run(path, run)
    manifest = read_manifest(storage, name)
    if manifest.get("format") != FORMAT:
        raise ServiceError(
            _("%(name)s is not a backup this version can read (format %(format)s).")
            % {"name": name, "format": manifest.get("format")}
        )
    contents = deployment_contents(using)
    if contents:
        raise ServiceError(
            _(
                "This deployment is not empty (%(what)s). A restore only goes into an empty deployment: a new "
                "database after migrate and an empty file storage. Nothing was changed."
            )
            % {"what": "; ".join(contents[:5]) + (" …" if len(contents) > 5 else "")}
        )
    database = manifest["database"]
    missing_migrations = sorted(set(database.get("migrations", [])) - set(_applied_migrations(using)))
    if missing_migrations:
        raise ServiceError(
            _(
                "The backup was made by a newer version: run migrate with that version first (missing migrations: "
                "%(names)s). Nothing was changed."
            )
            % {"names": ", ".join(missing_migrations[:5])}
        )
    dump = _download_verified(storage, f"{RUNS}/{name}/{database['file']}", database["sha256"])
    if dump is None:
        raise ServiceError(
            _(
                "The database dump of backup %(name)s is missing or damaged (its SHA-256 does not match). "
                "Nothing was changed."
            )
            % {"name": name}
        )
    restored: list[str] = []
    try:
        # The files first, each verified; then the rows in one transaction.
        for entry in manifest["files"]:
            size = _copy_verified(storage, f"{BLOBS}/{entry['name']}", default_storage, entry["name"])
            if size is None:
                raise ServiceError(
                    _(
                        "The backup copy of %(name)s is missing or damaged (its SHA-256 does not match). "
                        "Nothing was changed."
                    )
                    % {"name": entry["name"]}
                )
            restored.append(entry["name"])
        with transaction.atomic(using=using):
            from django.contrib.auth.models import Permission
            from django.contrib.contenttypes.models import ContentType

            # migrate made these with its own numbering; the backup's rows replace them.
            Permission.objects.using(using).all().delete()
            ContentType.objects.using(using).all().delete()
            counts = _load_database(dump, using)
            expected = {label: count for label, count in database["tables"].items() if count}
            if counts != expected:
                differing = sorted(set(counts.items()) ^ set(expected.items()))
                raise ServiceError(
                    _("The restored row counts do not match the backup's manifest (%(tables)s). Nothing was changed.")
                    % {"tables": ", ".join(label for label, _count in differing[:5])}
                )
            connections[using].check_constraints()
            _reset_sequences(using, [m for m in dumped_models(using) if _label(m) in counts])
        ContentType.objects.clear_cache()
    except BaseException:
        for file_name in restored:
            try:
                default_storage.delete(file_name)
            except Exception:
                logger.warning("could not remove %s", file_name, exc_info=True)
        raise
    finally:
        Path(dump).unlink(missing_ok=True)
    return RestoreResult(
        name=name,
        rows=sum(counts.values()),
        tables=len(counts),
        files=len(restored),
        missing_files=list(manifest.get("missing_files", [])),
    )


# --- scrub ----------------------------------------------------------------------------------------


def stored_names(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Every storage name a row refers to (files and their previews), once each."""
    from licheng.files.models import StoredFile

    with scopes_disabled():
        names = set(StoredFile.objects.using(using).values_list("storage_name", flat=True))
        names |= set(StoredFile.objects.using(using).exclude(preview_name="").values_list("preview_name", flat=True))
    return sorted(names)


def _repair(backup: Storage, name: str) -> bool:
    """Put the backup copy of ``name`` back in place; False when there is no good copy or it cannot
    be written (the stored name is then left as it was found or removed, never half-written)."""
    try:
        return _copy_verified(backup, f"{BLOBS}/{name}", default_storage, name) is not None
    except Exception:  # a write that fails is an unrecoverable file for this run, not a crash
        logger.exception("scrub: could not put back %s", name)
        return False


def scrub_run(
    *,
    actor: Actor,
    repair: bool = True,
    backup_path: str | os.PathLike[str] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> ScrubRun:
    """Re-read every stored file and check its SHA-256; put back a missing or damaged one from the
    backup copy (verified before and after) when ``repair``. The returned run holds the counts and
    each problem."""
    backup = backup_storage(backup_path)
    run = ScrubRun.objects.using(using).create()
    problems: list[dict[str, str]] = []
    for name in stored_names(using):
        run.checked += 1
        expected = sha256_of_name(name)
        actual = hash_stored(name)
        if actual == expected:
            run.ok += 1
            continue
        state = "missing" if actual is None else "damaged"
        if repair and _repair(backup, name):
            run.repaired += 1
            problems.append({"name": name, "found": state, "result": "repaired"})
            logger.warning("scrub: %s was %s; repaired from the backup", name, state)
            continue
        run.unrecoverable += 1
        problems.append({"name": name, "found": state, "result": "unrecoverable"})
        logger.error("scrub: %s is %s and no good backup copy exists", name, state)
    with transaction.atomic(using=using):
        run.problems = problems
        run.finished_at = timezone.now()
        run.save(using=using)
        record(
            actor=actor,
            school=None,
            action="files.scrub",
            obj=run,
            changes={
                "checked": run.checked,
                "ok": run.ok,
                "repaired": run.repaired,
                "unrecoverable": run.unrecoverable,
                "problems": problems[:100],
            },
        )
    return run


# --- status ---------------------------------------------------------------------------------------


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
