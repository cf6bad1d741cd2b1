"""Perceptual hashes (``imagehash.phash``, 64 bits) of the first page or image of stored content,
keyed by the content's SHA-256: the same bytes always have the same picture, whichever school or
row holds them. Holds no personal data (a hash of a rendering), so it is not a tenant table."""

from __future__ import annotations

from django.db import models


class ContentHash(models.Model):
    sha256 = models.CharField(max_length=64, unique=True)
    phash = models.CharField(max_length=16, blank=True, help_text="hex; empty: cannot be rendered")
    computed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sha256[:12]} {self.phash}"
