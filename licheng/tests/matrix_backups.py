"""Permission-matrix rows for backups, restore and integrity scrubbing.

Backups belong to the whole platform: every school admin (the outsider is one, of school B) sees the
same read-only page; deployment operators too (tested in licheng/backups/tests). The health answer
is for monitoring and needs no login.
"""

from __future__ import annotations

from licheng.tests.matrix_base import PUBLIC, Case, World, who

CASES: list[Case] = [
    Case("backups:status", who(403, anonymous=302, school_admin=200, outsider=200)),
    Case("backups:health", PUBLIC),
]


def extend(world: World) -> None:
    """A good backup exists, so the health answer is 200 and the page has a row to show."""
    from django.utils import timezone

    from licheng.backups.models import BackupRun

    BackupRun.objects.create(ok=True, name="20260101T000000Z-abc123", finished_at=timezone.now(), rows=10, files=2)
