"""In a real browser: import a grades file with one bad row, read the error, fix it, import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from licheng.records.models import Grade
from licheng.records.tests.conftest import GRADE_HEADER, grade_row, xlsx
from licheng.testing.personas import PASSWORD, build_personas

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_registry_fixes_a_bad_row_and_imports(
    live_server: LiveServer, desktop_page: Page, screenshot_dir: Path
) -> None:
    personas = build_personas()
    number = personas.student.student_number
    page = desktop_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "registry")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/records/import/grades/")
    bad = xlsx([GRADE_HEADER, grade_row(number), grade_row(number, term="114-2", score="abc")])
    page.set_input_files("input[type=file]", {"name": "grades.xlsx", "mimeType": XLSX, "buffer": bad})
    page.locator("form:has(input[type=file]) [type=submit]").click()
    alert = page.locator("[role=alert]")
    alert.wait_for()
    assert "第 3 列，學期成績欄" in alert.inner_text()
    assert page.locator("tr.error").count() == 1
    page.screenshot(path=str(screenshot_dir / "records-import-error.png"), full_page=True)
    assert Grade.objects.count() == 0

    page.locator("[role=alert] a").click()
    good = xlsx([GRADE_HEADER, grade_row(number), grade_row(number, term="114-2", score=75)])
    page.set_input_files("input[type=file]", {"name": "grades.xlsx", "mimeType": XLSX, "buffer": good})
    page.locator("form:has(input[type=file]) [type=submit]").click()
    page.get_by_role("button", name="匯入 2 筆").click()
    page.get_by_text("新增 2 筆").first.wait_for()
    assert Grade.objects.count() == 2
