"""Models for readiness reports, rosters and submission snapshots (提交)."""

from __future__ import annotations
