"""Accepted uploads. The bytes live content-addressed in private storage (``sha256/ab/cd/<hash>``)
and are shared between rows that hold the same content; a row is one acceptance of an upload."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.schools.models import School


class FileKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    MEDIA = "media", _("Audio or video")


class ScanStatus(models.TextChoices):
    NOT_SCANNED = "not_scanned", _("Not scanned")
    CLEAN = "clean", _("Clean")
    INFECTED = "infected", _("Infected")


class StoredFile(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="stored_files")
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=FileKind.choices)
    original_name = models.CharField(_("file name"), max_length=255)
    storage_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    preview_name = models.CharField(max_length=200, blank=True)
    scan_status = models.CharField(max_length=12, choices=ScanStatus.choices, default=ScanStatus.NOT_SCANNED)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("stored file")

    def __str__(self) -> str:
        return self.original_name
