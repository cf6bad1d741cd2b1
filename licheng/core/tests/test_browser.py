"""The real login page in a real browser (Debian's Chromium through Playwright).

Each role logs in on a phone-sized screen and lands on its home page showing its name; one run is
on a desktop screen. Full-page screenshots go to ``test-artifacts/screenshots/`` for people to look
at (CI keeps them). Fixtures are in ``conftest.py`` next to this file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from licheng.testing.personas import PASSWORD, build_personas

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

# Playwright's sync API runs an event loop in the test thread; the ``chromium`` fixture sets
# DJANGO_ALLOW_ASYNC_UNSAFE for these tests only (and restores it afterwards).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CJK = re.compile(r"[\u4e00-\u9fff]")


def _log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(f"{base_url}/")


def _fits_width(page: Page) -> bool:
    """No sideways scrolling: the page is no wider than the screen."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= screen.width + 1"))


@pytest.mark.parametrize(
    ("role", "username", "attribute"),
    [
        ("student", "student", "student_user"),
        ("subject_teacher", "teacher", "subject_teacher"),
        ("registry", "registry", "registry"),
    ],
)
def test_each_role_logs_in_on_a_phone_and_sees_its_home(
    live_server: LiveServer, phone_page: Page, screenshot_dir: Path, role: str, username: str, attribute: str
) -> None:
    personas = build_personas()
    user = getattr(personas, attribute)

    _log_in(phone_page, live_server.url, username)

    assert phone_page.url == f"{live_server.url}/"
    assert user.name
    assert user.name in phone_page.locator("body").inner_text()
    assert _fits_width(phone_page), "the home page scrolls sideways on a phone"
    phone_page.screenshot(path=str(screenshot_dir / f"{role}.png"), full_page=True)


def test_registry_logs_in_on_a_desktop(live_server: LiveServer, desktop_page: Page, screenshot_dir: Path) -> None:
    personas = build_personas()

    _log_in(desktop_page, live_server.url, "registry")

    assert personas.registry.name in desktop_page.locator("body").inner_text()
    desktop_page.screenshot(path=str(screenshot_dir / "registry-desktop.png"), full_page=True)


def test_wrong_password_keeps_the_user_on_the_login_page(live_server: LiveServer, phone_page: Page) -> None:
    build_personas()

    phone_page.goto(f"{live_server.url}/login/")
    phone_page.fill("input[name=username]", "student")
    phone_page.fill("input[name=password]", "not-the-password")
    phone_page.locator("form:has(input[name=password]) [type=submit]").click()
    phone_page.wait_for_load_state()

    assert phone_page.url.startswith(f"{live_server.url}/login/")
    assert phone_page.locator("input[name=password]").is_visible()


def test_login_page_is_in_traditional_chinese_by_default(
    live_server: LiveServer, phone_page: Page, screenshot_dir: Path
) -> None:
    phone_page.goto(f"{live_server.url}/login/")

    assert phone_page.locator("html").get_attribute("lang") == "zh-Hant-TW"
    assert CJK.search(phone_page.locator("body").inner_text()), "the login page shows no Chinese text"
    assert CJK.search(phone_page.locator("form:has(input[name=password])").inner_text()), "the form is not in Chinese"
    assert _fits_width(phone_page), "the login page scrolls sideways on a phone"
    phone_page.screenshot(path=str(screenshot_dir / "login.png"), full_page=True)


def _switch_language(page: Page, language: str) -> None:
    """Use the page's own language switcher (Django's set_language form, with one button per
    language or a select); without one, post to /i18n/setlang/ as such a form would."""
    form = page.locator("form[action$='/i18n/setlang/']")
    button = form.locator(f"button[name=language][value={language}]")
    if button.count():
        with page.expect_navigation():
            button.first.click()
        return
    select = form.locator("select[name=language]")
    if select.count():
        with page.expect_navigation():
            select.first.select_option(language)
            form.first.locator("[type=submit]").first.click()
        return
    with page.expect_navigation():
        page.evaluate(
            """([language, next]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = "/i18n/setlang/";
                const fields = {
                    csrfmiddlewaretoken: document.querySelector("input[name=csrfmiddlewaretoken]").value,
                    language, next,
                };
                for (const [name, value] of Object.entries(fields)) {
                    const input = document.createElement("input");
                    input.type = "hidden"; input.name = name; input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }""",
            [language, "/login/"],
        )


def test_switching_to_english_shows_english(live_server: LiveServer, phone_page: Page, screenshot_dir: Path) -> None:
    phone_page.goto(f"{live_server.url}/login/")

    _switch_language(phone_page, "en")

    assert phone_page.url.startswith(f"{live_server.url}/login/")
    assert phone_page.locator("html").get_attribute("lang") == "en"
    heading = phone_page.locator("h1").inner_text()
    assert not CJK.search(heading), f"the heading is still in Chinese: {heading!r}"
    assert "Password" in phone_page.locator("form:has(input[name=password])").inner_text()
    phone_page.screenshot(path=str(screenshot_dir / "login-en.png"), full_page=True)
