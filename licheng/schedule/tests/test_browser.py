"""In a real browser: the registry moves the upload window's end date on the schedule page and the
student's upload form appears at once."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from licheng.audit.services import Actor
from licheng.schedule import services
from licheng.testing.personas import PASSWORD, build_personas

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(f"{base_url}/")


def test_moving_an_end_date_opens_the_upload_form(
    live_server: LiveServer, phone_page: Page, desktop_page: Page
) -> None:
    p = build_personas()
    today = timezone.localdate()
    entry = services.schedule_entry_create(
        actor=Actor(user=p.registry),
        term=p.term,
        work_item="upload",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today - datetime.timedelta(days=1),
    )
    base = live_server.url
    _log_in(phone_page, base, "student")
    phone_page.goto(f"{base}/portfolio/")
    assert phone_page.locator("input[name=files]").count() == 0

    _log_in(desktop_page, base, "registry")
    desktop_page.goto(f"{base}/schedule/entry/{entry.pk}/")
    desktop_page.fill("input[name=ends_on]", (today + datetime.timedelta(days=7)).isoformat())
    desktop_page.locator("form.form button[type=submit]").click()
    desktop_page.wait_for_url(f"{base}/schedule/?term={p.term.pk}")

    phone_page.goto(f"{base}/portfolio/")
    assert phone_page.locator("input[name=files]").count() == 1
