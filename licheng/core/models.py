"""Deployment-wide bookkeeping that belongs to no school."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class PeriodicRun(models.Model):
    """When the periodic runner last enqueued a job (``licheng.core.periodic``). One row per job;
    the row lock makes two runners on two machines enqueue a due job once."""

    job = models.CharField(_("job"), max_length=80, unique=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("periodic job run")

    def __str__(self) -> str:
        return self.job


class KnownPermission(models.Model):
    """A permission code a school's role table has already been given its defaults for.

    When an upgrade adds permission codes, ``licheng.core.permission_upgrades`` grants each new code
    to its default roles once, then records it here, so a grant the school admin later removes
    stays removed."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    permission = models.CharField(_("permission"), max_length=80)

    objects = ScopedManager(school="school")

    class Meta:
        verbose_name = _("known permission")
        constraints = [models.UniqueConstraint(fields=["school", "permission"], name="known_permission_once")]

    def __str__(self) -> str:
        return self.permission
