"""Jobs that run on their own: reminders, closing receipt windows, retention, backups.

``python manage.py periodic`` runs beside the task worker (``make run`` starts it) and, once a
minute, enqueues every job that is due onto the background-task queue; the worker runs it. Each
job is a django-tasks task that takes no arguments, loops over the schools itself and is
idempotent, so a job enqueued twice (two runners, a restart) does no harm. Deployments that
prefer cron run ``python manage.py periodic --once`` every few minutes instead.

A daily job is due once its local time of day has passed and it has not been enqueued since; an
interval job is due when that long has passed since it was last enqueued.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from licheng.core.models import PeriodicRun

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str  # dotted path of a django-tasks task that takes no arguments
    daily_at: datetime.time | None = None  # school-local time of day
    every: datetime.timedelta | None = None

    def due(self, last: datetime.datetime | None, now: datetime.datetime) -> bool:
        if self.daily_at is not None:
            local_now = timezone.localtime(now)
            todays = local_now.replace(hour=self.daily_at.hour, minute=self.daily_at.minute, second=0, microsecond=0)
            return local_now >= todays and (last is None or last < todays)
        assert self.every is not None
        return last is None or now - last >= self.every


JOBS: list[PeriodicJob] = [
    # Close receipt-confirmation windows that ended yesterday: silence becomes waived objection.
    PeriodicJob(
        "close_confirmation_windows", "licheng.receipts.tasks.close_confirmation_windows", daily_at=datetime.time(0, 10)
    ),
    # The backup first, before anything deletes data.
    PeriodicJob(
        "run_backup",
        "licheng.backups.tasks.run_backup",
        every=datetime.timedelta(hours=getattr(settings, "BACKUP_INTERVAL_HOURS", 24)),
    ),
    PeriodicJob(
        "purge_expired_exports", "licheng.portfolio.export.purge_expired_exports", daily_at=datetime.time(2, 30)
    ),
    PeriodicJob("apply_retention", "licheng.lifecycle.tasks.apply_retention", daily_at=datetime.time(3, 0)),
    # Partial uploads a killed worker left behind; never one still being written.
    PeriodicJob(
        "sweep_incoming_uploads", "licheng.files.tasks.sweep_incoming_uploads", every=datetime.timedelta(hours=1)
    ),
    # Reminders go out in the morning, before school starts.
    PeriodicJob("send_due_reminders", "licheng.notifications.tasks.send_due_reminders", daily_at=datetime.time(7, 0)),
]


def task_of(job: PeriodicJob):  # type: ignore[no-untyped-def]
    module, _, name = job.task.rpartition(".")
    return getattr(import_module(module), name)


def enqueue_due(now: datetime.datetime | None = None, jobs: list[PeriodicJob] | None = None) -> list[str]:
    """Enqueue every due job once; answer the names of those enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in JOBS if jobs is None else jobs:
        with transaction.atomic():
            PeriodicRun.objects.get_or_create(job=job.name)
            run = PeriodicRun.objects.select_for_update().get(job=job.name)
            if not job.due(run.last_enqueued_at, now):
                continue
            task_of(job).enqueue()
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
        logger.info("periodic: enqueued %s", job.name)
        enqueued.append(job.name)
    return enqueued
