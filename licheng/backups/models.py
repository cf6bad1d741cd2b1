"""Records of backups and integrity scrubs. Deployment-wide (not per school): one backup holds every
school, so these models have no school and no scoped manager."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BackupRun(models.Model):
    """One run of ``manage.py backup`` (or the scheduled job). ``ok`` only once the manifest, the last
    thing written, is in place."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), default=False)
    name = models.CharField(_("backup name"), max_length=64, blank=True)
    destination = models.CharField(_("destination"), max_length=500, blank=True)
    database_bytes = models.PositiveBigIntegerField(_("database dump size (bytes)"), default=0)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    files = models.PositiveIntegerField(_("files"), default=0)
    files_bytes = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    files_copied = models.PositiveIntegerField(_("files copied"), default=0)
    bytes_copied = models.PositiveBigIntegerField(_("bytes copied"), default=0)
    files_missing = models.PositiveIntegerField(_("files missing or damaged"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("backup run")

    def __str__(self) -> str:
        return self.name or f"backup {self.pk}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class ScrubRun(models.Model):
    """One run of ``manage.py scrub``: every stored file re-read and checked against its hash."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    checked = models.PositiveIntegerField(_("checked"), default=0)
    ok = models.PositiveIntegerField(_("intact"), default=0)
    repaired = models.PositiveIntegerField(_("repaired"), default=0)
    unrecoverable = models.PositiveIntegerField(_("unrecoverable"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("integrity scrub")

    def __str__(self) -> str:
        return f"scrub {self.pk}"
