"""/api/v1/schedule: work schedule (作業期程), windows, published schedule and iCalendar feeds."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["schedule"])
