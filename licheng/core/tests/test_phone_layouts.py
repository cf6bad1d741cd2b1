"""Student pages on a phone (390 px): nothing wider than the screen, no word (button, status,
course code, term) broken over lines, central-database codes shown in words, cards without bullets
outside them. Screenshots go to ``test-artifacts/screenshots/`` for people to look at."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from licheng.audit.services import Actor
from licheng.performances import services as performances
from licheng.receipts.models import ReceiptImport, ReceiptRecord, StudentReceipt
from licheng.schedule import services as schedule
from licheng.submissions import rosters as R
from licheng.testing.personas import PASSWORD, Personas, build_personas

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = datetime.timedelta(days=1)
# How many lines an element's text takes (distinct tops of its line boxes).
LINES = """el => { const r = document.createRange(); r.selectNodeContents(el);
  return new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size; }"""


def _log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(f"{base_url}/")


def _fits(page: Page) -> bool:
    # against the screen's 390 px: a phone browser widens window.innerWidth to a page too wide
    return bool(page.evaluate("document.documentElement.scrollWidth") <= 390 + 1)


def _wrapped(page: Page, selector: str) -> list[str]:
    """The texts of the elements matching ``selector`` that take more than one line."""
    found = []
    for element in page.locator(selector).all():
        if element.is_visible() and element.evaluate(LINES) > 1:
            found.append(element.inner_text())
    return found


def _selection_open(p: Personas) -> None:
    today = timezone.localdate()
    schedule.schedule_entry_create(
        actor=Actor(user=p.registry), term=p.term, work_item="selection", starts_on=today - DAY, ends_on=today + 5 * DAY
    )
    schedule.schedule_entry_create(
        actor=Actor(user=p.registry), term=p.term, work_item="upload", starts_on=today - DAY, ends_on=today + 5 * DAY
    )


def test_student_selection_and_performances_on_a_phone(
    live_server: LiveServer, phone_page: Page, screenshot_dir: Path
) -> None:
    p = build_personas()
    _selection_open(p)
    for description in ("校刊封面設計：一份完整的作品集與說明", "科展作品：水質檢測的研究"):
        performances.performance_create(
            actor=Actor(user=p.student_user),
            school=p.school,
            kind=8,
            description=description,
            fields={"name": "作品", "date": "2025-10-01"},
        )
    _log_in(phone_page, live_server.url, "student")

    phone_page.goto(f"{live_server.url}/performances/selection/?year={p.term.academic_year.year}")
    assert phone_page.locator("#selection button[type=submit]").count() == 2
    assert _fits(phone_page)
    assert (
        _wrapped(phone_page, "#selection button, #selection .badge, #selection td:first-child, main form button") == []
    )
    phone_page.screenshot(path=str(screenshot_dir / "student-selection-390.png"), full_page=True)

    phone_page.goto(f"{live_server.url}/performances/?year={p.term.academic_year.year}")
    assert _fits(phone_page)
    cards = phone_page.locator("ul.performance-list")
    assert cards.evaluate("el => getComputedStyle(el).listStyleType") == "none", "bullets outside the cards"
    assert "114.10.01" in phone_page.locator("main").inner_text(), "the performance's date is not in ROC"
    assert "2025-10-01" not in phone_page.locator("main").inner_text()
    phone_page.screenshot(path=str(screenshot_dir / "student-performances-390.png"), full_page=True)


def test_student_receipt_on_a_phone(live_server: LiveServer, phone_page: Page, screenshot_dir: Path) -> None:
    p = build_personas()
    today = timezone.localdate()
    receipt = ReceiptImport.objects.create(
        school=p.school,
        term=p.term,
        file_name="receipt.zip",
        sha256="0" * 64,
        category=R.CATEGORY_GRADES,
        categories=[R.CATEGORY_GRADES],
        imported_by=p.registry,
        opens_on=today - DAY,
        closes_on=today + 3 * DAY,
    )
    ReceiptRecord.objects.create(
        school=p.school,
        receipt=receipt,
        student=p.student,
        category=R.CATEGORY_GRADES,
        sheets={
            "學期成績": [
                {
                    "課程代碼": "114123456A1101010000000",
                    "科目名稱": "國語文",
                    "開課年級": "1",
                    "修課學分": "4",
                    "學期學業成績": "78",
                    "成績及格": "1",
                    "補考成績": "-1",
                    "補考及格": "",
                    "是否採計學分": "1",
                    "質性文字描述": "",
                }
            ]
        },
    )
    StudentReceipt.objects.create(school=p.school, receipt=receipt, student=p.student)
    _log_in(phone_page, live_server.url, "student")

    phone_page.goto(f"{live_server.url}/receipts/mine/")
    assert _fits(phone_page)
    sheet = phone_page.locator("table.receipt-sheet")
    assert "114123456A1101010000000" in sheet.inner_text()
    cells = [c.strip() for c in sheet.locator("tbody td").all_inner_texts()]
    assert "及格" in cells and "未補考" in cells and "是" in cells
    assert not {"1", "0", "-1"} & set(cells[5:]), f"raw codes shown: {cells}"
    assert _wrapped(phone_page, "#answer-status, table.receipt-sheet td:not(:last-child), table.receipt-sheet th") == []
    assert _wrapped(phone_page, "main button") == []
    phone_page.screenshot(path=str(screenshot_dir / "student-receipt-390.png"), full_page=True)
