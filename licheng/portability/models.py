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
