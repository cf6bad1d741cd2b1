"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Bulk changes would bypass ``save``/``delete``: the trail refuses them too."""

    def update(self, **kwargs: object) -> int:
        raise RuntimeError("Audit entries are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One state change made through a service. ``entry_hash`` covers this row's fields and the
    previous row's hash, so changing or deleting any row breaks the chain from there on."""

    chain = models.CharField(max_length=20, help_text="The school's id, or '-' for deployment-wide entries")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey("people.User", on_delete=models.PROTECT, null=True, related_name="+")
    on_behalf_of = models.ForeignKey("people.User", on_delete=models.PROTECT, null=True, related_name="+")
    ip_address = models.GenericIPAddressField(null=True)
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit entry")

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit entries are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit entries are append-only.")


class AuditChainHead(models.Model):
    """One row per chain (one chain per school), locked while appending so writers chain in order
    without one school's rush waiting on another's."""

    chain = models.CharField(max_length=20, unique=True)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.chain} {self.last_hash[:12]}"


class AuditRowChange(models.Model):
    """One row an import (or another change of many rows) changed, linked to the batch's entry: the
    row's fields before and after. The entry's ``changes`` carry the rows' count and the SHA-256 of
    their canonical text, so the hash chain covers them too. Append-only like the entries."""

    entry = models.ForeignKey(AuditEntry, on_delete=models.PROTECT, related_name="row_changes")
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id} in #{self.entry_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit entries are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit entries are append-only.")
