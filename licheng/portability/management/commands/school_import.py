from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from licheng.portability.load import ImportRefused, import_school, verify_archived_chain


class Command(BaseCommand):
    help = (
        "Load a folder written by school_export into this deployment (other schools untouched; new ids). "
        "Every hash is checked first; the import is all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the export folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            school = import_school(options["path"], report=self.stdout.write)
        except ImportRefused as error:
            raise CommandError(f"import refused: {error}") from error
        problem = verify_archived_chain(school)
        if problem:  # checked before loading; this would mean the database changed it
            raise CommandError(f"imported, but the archived audit chain does not verify: {problem}")
        self.stdout.write(f"imported school {school.code} ({school.name}); archived audit chain verified")
