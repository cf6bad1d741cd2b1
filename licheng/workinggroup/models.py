"""Models for the working group (工作小組): members, meetings, trainings, evaluations."""

from __future__ import annotations
