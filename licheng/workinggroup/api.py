"""/api/v1/working-group: the working group (工作小組): members, meetings, trainings, evaluations."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["workinggroup"])
