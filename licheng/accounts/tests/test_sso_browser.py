"""Signing in through the test OpenID Connect provider in a real browser: a student's first
sign-in links by student number after confirming, a teacher links from the account page, a
parent with no account binds a child with a code and so gets one, and all sign out (of the
platform, then of the provider). Screenshots of each page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from licheng.accounts.models import ExternalIdentity
from licheng.accounts.tests.provider import Provider
from licheng.audit.services import Actor
from licheng.people import binding
from licheng.people.models import ParentLink
from licheng.testing.oidc_provider import people
from licheng.testing.personas import PASSWORD, Personas

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _base(live_server: LiveServer) -> str:
    # The provider accepts loopback redirect addresses on any port (RFC 8252), so 127.0.0.1.
    return live_server.url.replace("localhost", "127.0.0.1")


def _at_provider(page: Page, provider: Provider, username: str) -> None:
    page.wait_for_url(f"{provider.base_url}/**")
    page.fill("#provider-username", username)
    page.fill("#provider-password", people.PASSWORD)
    page.click("button[type=submit]")


def _sign_out_everywhere(page: Page, base: str, provider: Provider, shots: Path, name: str) -> None:
    page.locator(".site-account button[type=submit]").click()
    page.wait_for_url(f"{base}/logout/")
    page.screenshot(path=str(shots / f"sso-{name}-logged-out.png"), full_page=True)
    page.get_by_role("link", name="登出教育雲端").click()
    page.wait_for_url(re.compile(re.escape(f"{base}/login/") + r"(\?state=.*)?$"))


def test_a_student_signs_in_links_and_signs_out(
    live_server: LiveServer, phone_page: Page, educloud: Provider, personas: Personas, screenshot_dir: Path
) -> None:
    base = _base(live_server)
    page = phone_page
    page.goto(f"{base}/login/")
    page.screenshot(path=str(screenshot_dir / "sso-login-phone.png"), full_page=True)
    page.get_by_role("link", name="以教育雲端登入").click()
    _at_provider(page, educloud, "cloud-student")

    page.wait_for_url(f"{base}/sso/link/")
    assert "陳小明" in page.locator(".linked-name").inner_text()
    page.screenshot(path=str(screenshot_dir / "sso-link-confirm-phone.png"), full_page=True)
    assert not ExternalIdentity.objects.exists()
    page.get_by_role("button", name="是，連結並登入").click()

    page.wait_for_url(f"{base}/")
    assert "陳小明" in page.locator(".site-account").inner_text()
    assert ExternalIdentity.objects.get().user == personas.student_user
    _sign_out_everywhere(page, base, educloud, screenshot_dir, "student")
    page.goto(f"{base}/accounts/")
    page.wait_for_url(f"{base}/login/?next=/accounts/")  # signed out here


def test_a_teacher_links_from_the_account_page_then_signs_in_with_it(
    live_server: LiveServer, desktop_page: Page, educloud: Provider, personas: Personas, screenshot_dir: Path
) -> None:
    base = _base(live_server)
    page = desktop_page
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "teacher")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(f"{base}/")
    page.locator(".site-account a").click()
    page.wait_for_url(f"{base}/accounts/")
    page.screenshot(path=str(screenshot_dir / "sso-account-desktop.png"), full_page=True)
    page.get_by_role("link", name="連結教育雲端帳號").click()
    _at_provider(page, educloud, "cloud-teacher")
    page.wait_for_url(f"{base}/accounts/")
    assert page.get_by_role("button", name="解除教育雲端連結").is_visible()
    page.screenshot(path=str(screenshot_dir / "sso-account-linked-desktop.png"), full_page=True)
    assert ExternalIdentity.objects.get().user == personas.subject_teacher

    _sign_out_everywhere(page, base, educloud, screenshot_dir, "teacher")
    page.get_by_role("link", name="以教育雲端登入").click()
    _at_provider(page, educloud, "cloud-teacher")  # signed out at the provider too: it asks again
    page.wait_for_url(f"{base}/")
    assert "李老師" in page.locator(".site-account").inner_text()


def test_a_parent_signs_in_with_the_provider_and_binds_a_child(
    live_server: LiveServer, phone_page: Page, educloud: Provider, personas: Personas, screenshot_dir: Path
) -> None:
    _, code = binding.code_issue(actor=Actor(user=personas.student_user), student=personas.student)
    base = _base(live_server)
    page = phone_page
    page.goto(f"{base}/login/")
    page.get_by_role("link", name="以教育雲端登入").click()
    _at_provider(page, educloud, "cloud-parent")

    page.wait_for_url(f"{base}/sso/no-account/")
    page.screenshot(path=str(screenshot_dir / "sso-parent-no-account-phone.png"), full_page=True)
    page.get_by_role("link", name="我是家長，有綁定碼").click()
    page.wait_for_url(f"{base}/parents/bind/")
    page.fill("input[name=code]", code.lower())
    page.fill("input[name=relation]", "母")
    page.get_by_role("button", name="綁定", exact=True).click()

    page.wait_for_url(f"{base}/parents/children/")
    assert personas.student.name in page.locator("main").inner_text()
    assert "陳媽媽" in page.locator(".site-account").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "sso-parent-bound-phone.png"), full_page=True)
    mother = ExternalIdentity.objects.get().user
    assert ParentLink.objects.filter(parent=mother, student=personas.student, relation="母").exists()

    _sign_out_everywhere(page, base, educloud, screenshot_dir, "parent")
    page.get_by_role("link", name="以教育雲端登入").click()
    _at_provider(page, educloud, "cloud-parent")  # now linked: straight to the parent's home
    page.wait_for_url(f"{base}/")
    assert "陳媽媽" in page.locator(".site-account").inner_text()
