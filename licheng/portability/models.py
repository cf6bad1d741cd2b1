"""What a school brings along when it moves in from another deployment (``manage.py school_import``).

The audit entries of the source deployment cannot join this deployment's chain unchanged: their
hashes cover the source's database ids (school, people, objects), which the import remaps. They are
kept verbatim as ``ArchivedAuditEntry`` rows (their hashes still recompute, see
``licheng.portability.archive.verify_archived_chain``) and the school's new chain here starts with a
``school.import`` entry that names the archived chain's last hash.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.schools.models import School


class SchoolImport(models.Model):
    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="+")
    source_code = models.CharField(max_length=6)
    source_site = models.CharField(max_length=200, blank=True)
    exported_at = models.DateTimeField()
    imported_at = models.DateTimeField(auto_now_add=True)
    manifest_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the export's MANIFEST.sha256")
    audit_head = models.CharField(max_length=64, help_text="last entry hash of the archived chain")
    counts = models.JSONField(default=dict)
    id_map = models.JSONField(default=dict, help_text="record type → {source id: id here}")

    objects = ScopedManager(school="school")

    class Meta:
        verbose_name = _("school import")

    def __str__(self) -> str:
        return f"{self.school_id} from {self.source_site or '?'}"


class ArchivedAuditEntry(models.Model):
    """One audit entry of the source deployment, with its original field values."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    original = models.JSONField(help_text="the entry's fields as the source deployment stored them")
    entry_hash = models.CharField(max_length=64)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["school", "position"]
        constraints = [models.UniqueConstraint(fields=["school", "position"], name="archived_audit_position_unique")]

    def __str__(self) -> str:
        return f"{self.school_id}#{self.position}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class SchoolExportJob(models.Model):
    """A school export the deployment operator asked for on the page: built by a background task
    into private storage as one ZIP of the export folder."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=200, blank=True, help_text="storage name of the ZIP")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("school export")

    def __str__(self) -> str:
        return f"{self.school_id} export #{self.pk} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0
