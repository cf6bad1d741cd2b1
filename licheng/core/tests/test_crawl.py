"""The crawl: each persona of the demo school visits every page its menu and home page link to, on
a phone (390 px) and a desktop (1280 px) screen, in Debian's Chromium.

A persona's run fails on
- any link shown on those pages that answers 4xx or 5xx to that persona,
- any page wider than the phone's screen (the document scrolls sideways at 390 px),
- any axe-core violation of WCAG 2.1 A/AA (``axe-playwright-python`` ships axe-core).

To stay within the suite's time budget each route pattern (``/performances/<int:pk>/``) is visited
once per persona, and each shown link is checked once per route pattern.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from licheng.core.demo.curriculum import DEMO_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The demo school's accounts (README), one per kind of user.
PERSONAS = ["student", "parent", "teacher", "homeroom", "counsellor", "registry", "workgroup", "admin"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Links that change state when followed, or leave the pages a persona reads.
HREF = re.compile(r'<a [^>]*href="(/[^"#]*)')
SKIP_PREFIXES = ("/logout", "/i18n/", "/static/", "/media/", "/admin/")


def _pattern(path: str) -> str | None:
    """The route a path resolves to (``performances:detail``), or None for a path outside the site."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return f"{match.view_name}|{sorted(match.kwargs)}"


def _links(page: Page, base_url: str, *, menu_only: bool = False) -> list[str]:
    """The site's own links on the page (path and query), in order, once each."""
    selector = "nav a[href]" if menu_only else "a[href]"
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.href)")
    found: list[str] = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base_url or not parts.path:
            continue
        link = parts.path + (f"?{parts.query}" if parts.query else "")
        if link.startswith(SKIP_PREFIXES) or link in found:
            continue
        found.append(link)
    return found


def _log_in(context: BrowserContext, base_url: str, username: str) -> Page:
    page = context.new_page()
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(f"{base_url}/")
    return page


@pytest.fixture(scope="module")
def axe() -> object:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def demo_school(live_server: LiveServer) -> Iterator[None]:
    call_command("demo_school", students=40, stdout=open("/dev/null", "w"))  # noqa: SIM115
    yield


def _violations(axe: object, page: Page) -> list[str]:
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})  # type: ignore[attr-defined]
    out = []
    for violation in results.response["violations"]:
        targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
        out.append(f"{violation['id']} ({violation['impact']}): {', '.join(targets)}")
    return out


def test_every_page_each_persona_can_reach_answers_fits_and_is_accessible(
    live_server: LiveServer, chromium: Browser, axe: object, demo_school: None
) -> None:
    base = live_server.url
    started = time.monotonic()
    problems: list[str] = []
    # (size, route pattern) already looked at: each pattern is visited once per size in the whole
    # crawl (by the first persona who reaches it), each persona's home page always.
    looked_at: set[tuple[str, str]] = set()
    counts = {"pages": 0, "links": 0}
    for username in PERSONAS:
        for size_name, viewport in SIZES.items():
            _crawl(chromium, axe, base, username, size_name, viewport, looked_at, problems, counts)
    elapsed = time.monotonic() - started
    print(f"crawl: {counts['pages']} page views, {counts['links']} further links checked in {elapsed:.1f} s")
    assert counts["pages"] > 2 * len(PERSONAS) * 3, "the personas reached almost no pages"
    assert not problems, "\n".join(problems)


def _crawl(
    chromium: Browser,
    axe: object,
    base: str,
    username: str,
    size_name: str,
    viewport: dict[str, int],
    looked_at: set[tuple[str, str]],
    problems: list[str],
    counts: dict[str, int],
) -> None:
    mobile = size_name == "phone"
    context = chromium.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        locale="zh-TW",
        timezone_id="Asia/Taipei",
        is_mobile=mobile,
        has_touch=mobile,
    )
    context.set_default_timeout(15_000)
    try:
        page = _log_in(context, base, username)
        # Every page the menu and the home page link to, one per route pattern.
        to_visit: dict[str, str] = {}
        for link in ["/", *_links(page, base)]:
            pattern = _pattern(urlsplit(link).path)
            if pattern is not None:
                to_visit.setdefault(pattern, link)
        checked: set[str] = set()
        for pattern, link in to_visit.items():
            if link != "/" and (size_name, pattern) in looked_at:
                # laid out and checked for an earlier persona: this one needs it to answer, and
                # (on the phone run) every link it shows this persona to answer too
                answer = context.request.get(base + link, max_redirects=5)
                if answer.status >= 400:
                    problems.append(f"{username} {size_name} {link}: answers {answer.status}")
                elif mobile and "text/html" in answer.headers.get("content-type", ""):
                    shown_links = [h for h in HREF.findall(answer.text()) if not h.startswith(SKIP_PREFIXES)]
                    _check_links(context, base, username, link, shown_links, to_visit, checked, problems, counts)
                continue
            looked_at.add((size_name, pattern))
            response = page.goto(base + link)
            status = response.status if response is not None else 0
            if status >= 400:
                problems.append(f"{username} {size_name} {link}: answers {status}")
                continue
            if "text/html" not in (response.headers.get("content-type", "") if response else ""):
                continue
            counts["pages"] += 1
            if mobile:
                # against the screen's width: a phone browser widens its layout viewport (and
                # window.innerWidth) to a page that is too wide
                overflow = page.evaluate("document.documentElement.scrollWidth") - viewport["width"]
                if overflow > 1:
                    problems.append(f"{username} {size_name} {link}: {overflow} px wider than the screen")
            problems.extend(f"{username} {size_name} {link}: {v}" for v in _violations(axe, page))
            if not mobile:
                continue
            _check_links(context, base, username, link, _links(page, base), to_visit, checked, problems, counts)
    finally:
        context.close()


def _check_links(
    context: BrowserContext,
    base: str,
    username: str,
    link: str,
    shown_links: list[str],
    to_visit: dict[str, str],
    checked: set[str],
    problems: list[str],
    counts: dict[str, int],
) -> None:
    """Each link shown on the page, once per route pattern, answers this persona."""
    for shown in shown_links:
        shown = html.unescape(shown)
        shown_pattern = _pattern(urlsplit(shown).path)
        if shown_pattern is None or shown_pattern in checked or shown_pattern in to_visit:
            continue
        checked.add(shown_pattern)
        counts["links"] += 1
        answer = context.request.get(base + shown, max_redirects=5)
        if answer.status >= 400:
            problems.append(f"{username}: {link} links to {shown}, which answers {answer.status}")
