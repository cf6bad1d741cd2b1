"""Permission-matrix rows for receipt import (收訖明細), student confirmation and disputes."""

from __future__ import annotations

from licheng.tests.matrix_base import Case, World

CASES: list[Case] = []


def extend(world: World) -> None:
    """Add the objects the routes above point at to ``world.extra``."""
