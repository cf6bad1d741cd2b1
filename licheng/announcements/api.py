"""/api/v1/announcements: announcements (訊息公告) and help requests."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["announcements"])
