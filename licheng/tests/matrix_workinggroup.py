"""Permission-matrix rows for the working group (工作小組): members, meetings, trainings, evaluations
(``licheng.workinggroup``)."""

from __future__ import annotations

from licheng.tests.matrix_base import Case, World

CASES: list[Case] = []


def extend(world: World) -> None:
    """Add the objects the routes above point at to ``world.extra``."""
