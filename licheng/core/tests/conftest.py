"""Browser fixtures: Debian's Chromium driven by Playwright's sync API.

Playwright cannot download its own browser here, so it drives ``/usr/bin/chromium`` (apt package
``chromium``; override with ``LICHENG_CHROMIUM``). Without it the browser tests are skipped on a
developer's machine and fail under CI (``CI=true``), where a missing browser is a broken set-up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("LICHENG_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium's own connections are refused in the sandboxed
# CI machines and it stalls; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
        if _under_ci():
            pytest.fail(message + "; under CI a missing browser is an error", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread; Django would otherwise refuse the
    # test's own (synchronous) database work. Only for the browser tests' module, then restored.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser: Browser, viewport: dict[str, int], *, mobile: bool) -> Iterator[Page]:
    # A Taiwanese browser: zh-TW first, like the users this is built for.
    context = browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        locale="zh-TW",
        timezone_id="Asia/Taipei",
        is_mobile=mobile,
        has_touch=mobile,
        device_scale_factor=2 if mobile else 1,
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone_page(chromium: Browser) -> Iterator[Page]:
    """A page on a phone-sized screen (390×844, the size most students use)."""
    yield from _new_page(chromium, PHONE, mobile=True)


@pytest.fixture
def desktop_page(chromium: Browser) -> Iterator[Page]:
    yield from _new_page(chromium, DESKTOP, mobile=False)


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
