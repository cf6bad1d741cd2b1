"""Models for work schedule (作業期程), windows, published schedule and iCalendar feeds."""

from __future__ import annotations
