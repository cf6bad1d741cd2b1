"""Models for student status changes (學籍異動), transfer packages, sealing and retention."""

from __future__ import annotations
