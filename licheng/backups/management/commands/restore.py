"""``manage.py restore [PATH] [--run NAME]``: rebuild an empty deployment from a backup."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from licheng.audit.services import Actor
from licheng.backups.restore import restore_backup
from licheng.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Restore a backup into an empty deployment (a new database after migrate, empty file storage). PATH is the "
        "backup folder (its newest complete run is used) or one run's folder; without PATH the configured backup "
        "location is read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="backup folder, or one run's folder (runs/<name>)")
        parser.add_argument("--run", help="the run to restore (default: the newest complete one)")

    def handle(self, *args: Any, path: str | None, run: str | None, **options: Any) -> None:
        try:
            result = restore_backup(actor=Actor.system(), path=path, run=run)
        except ServiceError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(
            f"Restored backup {result.name}: {result.rows} rows in {result.tables} tables, "
            f"{result.files} files, every file's SHA-256 verified."
        )
        if result.missing_files:
            self.stderr.write(
                f"{len(result.missing_files)} file(s) were already missing when the backup was made: "
                + ", ".join(result.missing_files[:10])
            )
        self.stdout.write(self.style.SUCCESS("Restore complete."))
