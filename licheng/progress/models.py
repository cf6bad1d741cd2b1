"""Models for self-check (自我檢核) checklists and progress dashboards."""

from __future__ import annotations
