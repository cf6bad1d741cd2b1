"""``manage.py scrub``: re-read every stored file, check its SHA-256, repair from the backup copy."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from licheng.audit.services import Actor
from licheng.backups.scrub import scrub_run


class Command(BaseCommand):
    help = (
        "Re-read every stored file and check its SHA-256; put back a missing or damaged file from the backup copy. "
        "Exits non-zero when a file cannot be recovered."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-repair", action="store_true", help="only check and report")
        parser.add_argument("--from", dest="source", metavar="PATH", help="backup folder to repair from")

    def handle(self, *args: Any, no_repair: bool, source: str | None, **options: Any) -> None:
        run = scrub_run(actor=Actor.system(), repair=not no_repair, backup_path=source)
        for problem in run.problems:
            self.stdout.write(f"{problem['name']}: {problem['found']}, {problem['result']}")
        self.stdout.write(
            f"checked {run.checked}, ok {run.ok}, repaired {run.repaired}, unrecoverable {run.unrecoverable}"
        )
        if run.unrecoverable:
            raise CommandError(f"{run.unrecoverable} stored file(s) are missing or damaged and could not be repaired.")
