"""Parent binding in a real browser: a student issues a code on their phone, a parent logs in with a
local password, redeems it, sees the child, switches between their two children and logs out.
Screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from licheng.people.models import ParentLink, RoleGrant
from licheng.testing.factories import StudentFactory, UserFactory
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


def _fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_parent_binds_with_a_code_and_switches_between_two_children(
    live_server: LiveServer, phone_page: Page, desktop_page: Page, screenshot_dir: Path
) -> None:
    p = build_personas()
    sibling = StudentFactory.create(school_class=p.school_class, name="王小弟")
    mother = UserFactory.create(school=p.school, username="mother", name="王媽媽")
    RoleGrant.objects.create(school=p.school, user=mother, role="parent")
    ParentLink.objects.create(school=p.school, parent=mother, student=sibling, relation="母")
    base = live_server.url

    # The student, on their phone, issues a code from their home page.
    student = phone_page
    _log_in(student, base, p.student_user.username)
    student.get_by_role("link", name="為家長產生綁定碼").click()
    student.wait_for_url(f"{base}/people/my/parent-codes/")
    student.fill("input[name=relation]", "母")
    _fits(student, 390)
    student.screenshot(path=str(screenshot_dir / "parent-codes-390.png"), full_page=True)
    student.get_by_role("button", name="產生綁定碼").click()
    code = student.locator("#parent-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    assert student.get_by_role("button", name="列印").is_visible()
    _fits(student, 390)
    student.screenshot(path=str(screenshot_dir / "parent-code-issued-390.png"), full_page=True)

    # The parent, at a desktop, logs in with their own password and redeems it.
    parent = desktop_page
    _log_in(parent, base, "mother")
    parent.get_by_role("link", name="以綁定碼綁定孩子").first.click()
    parent.wait_for_url(f"{base}/parents/bind/")
    parent.fill("input[name=code]", "ABCD-EFGH")
    parent.get_by_role("button", name="綁定", exact=True).click()
    assert parent.locator("#redeem-error").inner_text().startswith("綁定碼不正確")
    parent.screenshot(path=str(screenshot_dir / "parent-redeem-refused-1280.png"), full_page=True)
    parent.fill("input[name=code]", code.lower())
    parent.get_by_role("button", name="綁定", exact=True).click()
    parent.wait_for_url(f"{base}/parents/children/")
    assert f"您已綁定為{p.student.name}的家長" in parent.content()
    assert parent.locator("tbody tr").count() == 2
    _fits(parent, 1280)
    parent.screenshot(path=str(screenshot_dir / "parent-children-1280.png"), full_page=True)

    # Home shows both children; switching makes the other one the child whose pages are linked.
    parent.goto(f"{base}/")
    section = parent.locator("#section-parent")
    assert p.student.name in section.inner_text() and "王小弟" in section.inner_text()
    looking_at = parent.locator("#section-parent li[aria-current] strong").inner_text()
    other = "王小弟" if looking_at == p.student.name else p.student.name
    other_pk = sibling.pk if other == "王小弟" else p.student.pk
    section.get_by_role("button", name=f"改看{other}").click()
    parent.wait_for_url(f"{base}/")
    assert parent.locator("#section-parent li[aria-current] strong").inner_text() == other
    parent.screenshot(path=str(screenshot_dir / "parent-home-switched-1280.png"), full_page=True)
    parent.locator("#section-parent .child-links a").first.click()
    parent.wait_for_url(f"{base}/performances/students/{other_pk}/")
    assert other in parent.content()

    # Log out: the children page asks for a login again.
    parent.get_by_role("button", name="登出").click()
    parent.goto(f"{base}/parents/children/")
    assert "/login/" in parent.url


def test_the_redeem_and_children_pages_fit_a_phone(
    live_server: LiveServer, phone_page: Page, screenshot_dir: Path
) -> None:
    p = build_personas()
    page = phone_page
    _log_in(page, live_server.url, p.parent.username)
    page.goto(f"{live_server.url}/parents/bind/")
    _fits(page, 390)
    page.screenshot(path=str(screenshot_dir / "parent-redeem-390.png"), full_page=True)
    page.goto(f"{live_server.url}/parents/children/")
    _fits(page, 390)
    page.screenshot(path=str(screenshot_dir / "parent-children-390.png"), full_page=True)
