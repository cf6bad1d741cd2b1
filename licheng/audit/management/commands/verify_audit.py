from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from licheng.audit.services import verify_chains


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chains and report the first tampered entry of each."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problems = verify_chains()
        lines = []
        for problem in problems:
            where = f"entry {problem.entry_id}" if problem.entry_id is not None else "chain end"
            lines.append(f"TAMPERED chain {problem.chain}: {where}: {problem.message}")
        for line in lines:
            self.stderr.write(line)
        if problems:
            raise CommandError(
                f"audit trail verification failed ({len(problems)} chain(s) broken, {checked} entries read); "
                f"first: {lines[0]}"
            )
        self.stdout.write(f"audit trail ok: {checked} entries verified")
