"""Deployment-wide bookkeeping that belongs to no school."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicRun(models.Model):
    """When the periodic runner last enqueued a job (``licheng.core.periodic``). One row per job;
    the row lock makes two runners on two machines enqueue a due job once."""

    job = models.CharField(_("job"), max_length=80, unique=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("periodic job run")

    def __str__(self) -> str:
        return self.job
