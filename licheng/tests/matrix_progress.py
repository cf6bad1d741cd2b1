"""Permission-matrix rows for self-check (自我檢核) checklists and progress dashboards."""

from __future__ import annotations

from licheng.tests.matrix_base import Case, World

CASES: list[Case] = []


def extend(world: World) -> None:
    """Add the objects the routes above point at to ``world.extra``."""
