"""Models for backups, restore and integrity scrubbing."""

from __future__ import annotations
