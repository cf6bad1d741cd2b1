"""The scheduled backup: the periodic runner enqueues ``run_backup`` (no arguments)."""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def run_backup() -> dict[str, Any]:
    """Back up to the configured location. Returns a summary; a failed run is recorded (and shown
    on the backups page) and raised so the task shows as failed."""
    from licheng.audit.services import Actor
    from licheng.backups.services import backup_create

    result = backup_create(actor=Actor.system())
    run = result.run
    if not run.ok:
        raise RuntimeError(run.error)
    return {
        "name": result.name,
        "location": result.location,
        "rows": run.rows,
        "files": run.files,
        "files_copied": run.files_copied,
        "bytes_copied": run.bytes_copied,
    }
