"""/api/v1/backups: backups, restore and integrity scrubbing."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["backups"])
