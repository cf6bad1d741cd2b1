"""Remove stored bytes that no row refers to (an upload whose surrounding transaction was rolled
back after the bytes were stored) and temporary upload files left by a crashed worker. Only files
older than ``--hours`` are touched, so uploads in progress are safe. Run it daily."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from licheng.files.models import StoredFile
from licheng.files.services import sweep_incoming


class Command(BaseCommand):
    help = "Remove stored files no row refers to, and stale temporary uploads."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--hours", type=float, default=24.0, help="only files older than this (default 24)")
        parser.add_argument("--dry-run", action="store_true", help="list what would be removed")

    def handle(self, *args: Any, hours: float, dry_run: bool, **options: Any) -> None:
        if not isinstance(default_storage, FileSystemStorage):
            raise CommandError("files_sweep works on a local storage folder only")
        root = Path(default_storage.location)
        cutoff = time.time() - hours * 3600
        with scopes_disabled():
            referenced = set(StoredFile.objects.values_list("storage_name", flat=True))
            referenced |= set(StoredFile.objects.exclude(preview_name="").values_list("preview_name", flat=True))
        removed = 0
        # Temporary uploads: the same sweep the periodic runner makes hourly (never a held file).
        for name in sweep_incoming(older_than_seconds=hours * 3600, dry_run=dry_run):
            removed += 1
            self.stdout.write(f"{'would remove' if dry_run else 'removed'} {name}")
        for path in (root / "sha256").rglob("*"):
            if not path.is_file() or path.stat().st_mtime > cutoff:
                continue
            name = path.relative_to(root).as_posix()
            if name in referenced:
                continue
            removed += 1
            self.stdout.write(f"{'would remove' if dry_run else 'removed'} {name}")
            if not dry_run:
                path.unlink(missing_ok=True)
        self.stdout.write(f"{removed} file(s) {'to remove' if dry_run else 'removed'}")
