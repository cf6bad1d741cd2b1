from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from licheng.duplicates.hashing import HASHABLE, ensure_hashes
from licheng.duplicates.models import ContentHash
from licheng.files.models import StoredFile


class Command(BaseCommand):
    help = "Compute the perceptual hashes of stored images and PDFs that have none yet (files uploaded before)."

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            known = ContentHash.objects.values("sha256")
            todo: dict[str, StoredFile] = {}
            for stored in StoredFile.objects.filter(content_type__in=HASHABLE).exclude(sha256__in=known).iterator():
                todo.setdefault(stored.sha256, stored)
            files = list(todo.values())
            for start in range(0, len(files), 100):
                ensure_hashes(files[start : start + 100])
        self.stdout.write(f"perceptual hashes computed for {len(files)} files")
