from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from licheng.audit.services import Actor
from licheng.schedule import services
from licheng.schedule.models import ScheduleEntry
from licheng.testing.personas import Personas

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


def add(p: Personas, work_item: str, starts_on: datetime.date, ends_on: datetime.date, **kw: object) -> ScheduleEntry:
    return services.schedule_entry_create(
        actor=Actor(user=p.registry),
        term=p.term,
        work_item=work_item,
        starts_on=starts_on,
        ends_on=ends_on,
        **kw,  # type: ignore[arg-type]
    )


# The browser fixtures (Chromium through Playwright) live with core's browser tests.
from licheng.core.tests.conftest import chromium, desktop_page, phone_page, screenshot_dir  # noqa: E402, F401
