"""Permission-matrix rows for announcements (訊息公告) and help requests."""

from __future__ import annotations

from licheng.tests.matrix_base import Case, World

CASES: list[Case] = []


def extend(world: World) -> None:
    """Add the objects the routes above point at to ``world.extra``."""
