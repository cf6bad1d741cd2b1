"""Models for announcements (訊息公告) and help requests."""

from __future__ import annotations
