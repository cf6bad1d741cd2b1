"""/api/v1/submissions: readiness reports, rosters and submission snapshots (提交)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["submissions"])
