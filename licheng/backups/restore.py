"""Restoring a backup into an empty deployment: the database from its dump, every file from the
blobs with its hash verified (see docs/operations.md)."""

from __future__ import annotations

import dataclasses
import gzip
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.files.storage import Storage, default_storage
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils.translation import gettext as _

from licheng.audit.services import Actor
from licheng.backups.dump import MIGRATE_CREATED, applied_migrations, dumped_models, model_label
from licheng.backups.store import (
    BLOBS,
    FORMAT,
    MANIFEST_NAME,
    RUNS,
    backup_storage,
    copy_verified,
    describe,
    download_verified,
    list_runs,
    read_manifest,
    walk,
)
from licheng.core.errors import ServiceError

logger = logging.getLogger(__name__)


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
        if model_label(model) in MIGRATE_CREATED:
            continue
        count = model._base_manager.using(using).count()
        if count:
            found.append(f"{model_label(model)}: {count}")
    if next(walk(default_storage, "sha256"), None) is not None:
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
            counts[model_label(model)] = counts.get(model_label(model), 0) + 1
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
    missing_migrations = sorted(set(database.get("migrations", [])) - set(applied_migrations(using)))
    if missing_migrations:
        raise ServiceError(
            _(
                "The backup was made by a newer version: run migrate with that version first (missing migrations: "
                "%(names)s). Nothing was changed."
            )
            % {"names": ", ".join(missing_migrations[:5])}
        )
    dump = download_verified(storage, f"{RUNS}/{name}/{database['file']}", database["sha256"])
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
            size = copy_verified(storage, f"{BLOBS}/{entry['name']}", default_storage, entry["name"])
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
            _reset_sequences(using, [m for m in dumped_models(using) if model_label(m) in counts])
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
