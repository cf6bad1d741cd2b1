"""Permission-matrix rows for work schedule (作業期程), windows, published schedule and iCalendar feeds
(``licheng.schedule``)."""

from __future__ import annotations

from licheng.tests.matrix_base import Case, World

CASES: list[Case] = []


def extend(world: World) -> None:
    """Add the objects the routes above point at to ``world.extra``."""
