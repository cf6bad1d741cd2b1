"""``manage.py backup [--to PATH]``: back up the database and every stored file (see docs/operations.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from licheng.audit.services import Actor
from licheng.backups.services import backup_create
from licheng.core.errors import ServiceError


class Command(BaseCommand):
    help = "Back up the database and every stored file to the backup location (LICHENG_BACKUP_DIR by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", metavar="PATH", help="a folder to back up to instead of the configured location")

    def handle(self, *args: Any, to: str | None, **options: Any) -> None:
        try:
            result = backup_create(actor=Actor.system(), to=to)
        except ServiceError as error:
            raise CommandError(str(error.message)) from None
        run = result.run
        self.stdout.write(
            f"Backup {result.name} at {result.location}: {run.rows} rows in "
            f"{result.tables} tables, {run.files} files ({run.files_bytes} bytes); "
            f"copied {run.files_copied} new file(s) ({run.bytes_copied} bytes) in {run.seconds or 0:.1f} s."
        )
        if not run.ok:
            raise CommandError(run.error)
        self.stdout.write(self.style.SUCCESS("Backup complete."))
