"""Permission-matrix rows for student status changes (學籍異動), transfer packages, sealing and retention
(``licheng.lifecycle``)."""

from __future__ import annotations

from licheng.tests.matrix_base import Case, World

CASES: list[Case] = []


def extend(world: World) -> None:
    """Add the objects the routes above point at to ``world.extra``."""
