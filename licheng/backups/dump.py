"""The database dump of a backup: Django's ``jsonl`` serialization (``{"model": "app.model", "pk": …,
"fields": {…}}`` per line) of one consistent moment (a REPEATABLE READ transaction on PostgreSQL; on
SQLite a copy made with the online backup API). It restores into SQLite or PostgreSQL alike."""

from __future__ import annotations

import datetime
import gzip
import logging
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django_scopes import scopes_disabled

logger = logging.getLogger(__name__)


EXCLUDED_APPS = {"sessions", "backups"}
# Created by ``migrate`` in every deployment; a restore replaces them with the backup's own rows.
MIGRATE_CREATED = {"contenttypes.contenttype", "auth.permission"}


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


def model_label(model: type[models.Model]) -> str:
    return model._meta.label_lower


@contextmanager
def consistent_snapshot(using: str) -> Iterator[str]:
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


def counted(queryset: Iterable[models.Model], counter: dict[str, int], label: str) -> Iterator[models.Model]:
    for obj in queryset:
        counter[label] += 1
        yield obj


def dump_database(path: str, using: str) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Write every row to ``path`` (gzip JSON lines); return row counts per table and the stored
    file names (with sizes) the dump refers to. Runs inside the caller's snapshot."""
    from licheng.files.models import StoredFile

    counts: dict[str, int] = {}
    serializer = serializers.get_serializer("jsonl")()
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for model in dumped_models(using):
            label = model_label(model)
            counts[label] = 0
            queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
            many = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]  # type: ignore[union-attr]
            if many:
                queryset = queryset.prefetch_related(*many)
            serializer.serialize(
                counted(queryset.iterator(chunk_size=2000), counts, label), stream=out, cls=_ExactEncoder
            )
    files: dict[str, int] = {}
    with scopes_disabled():
        for name, size in StoredFile.objects.using(using).values_list("storage_name", "size"):
            files[name] = size
        for preview in StoredFile.objects.using(using).exclude(preview_name="").values_list("preview_name", flat=True):
            files.setdefault(preview, -1)  # size unknown: taken from the stored file
    return counts, sorted(files.items())


def applied_migrations(using: str) -> list[str]:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())
