from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from licheng.portability.dump import ExportError, export_school


class Command(BaseCommand):
    help = (
        "Write one school's records (JSON Lines per record type), files (once each, by SHA-256), audit chain "
        "and a MANIFEST.sha256 into a new folder (docs/formats.md, 'School export')."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", required=True, help="school code (6 digits)")
        parser.add_argument("--to", required=True, type=Path, help="a folder that does not exist yet or is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = export_school(options["school"], options["to"], report=self.stdout.write)
        except ExportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"exported school {options['school']}: {sum(counts.values())} rows to {options['to']}; "
            f"check with: cd {options['to']} && sha256sum -c MANIFEST.sha256"
        )
