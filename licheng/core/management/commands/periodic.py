"""Enqueue the periodic jobs (``licheng.core.periodic``) when they are due."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connection

from licheng.core.periodic import JOBS, enqueue_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Enqueue reminders, receipt-window closing, retention and backups when due (runs beside db_worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit (for cron)")
        parser.add_argument("--interval", type=int, default=60, help="seconds between checks (default 60)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("periodic jobs: " + ", ".join(job.name for job in JOBS))
        while True:
            try:
                for name in enqueue_due():
                    self.stdout.write(f"enqueued {name}")
            except DatabaseError:
                if options["once"]:
                    raise
                # The database is out of reach for a moment: try again at the next check, on a new
                # connection, instead of ending the runner.
                logger.warning("periodic: database unavailable, next try in %d s", options["interval"], exc_info=True)
                connection.close()
            if options["once"]:
                return
            time.sleep(options["interval"])
