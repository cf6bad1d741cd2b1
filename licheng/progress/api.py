"""/api/v1/progress: self-check (自我檢核) checklists and progress dashboards."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["progress"])
