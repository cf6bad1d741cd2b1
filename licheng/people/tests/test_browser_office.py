"""The office side in a real browser at 1280 px: the permission matrix is usable (full width, sticky
header row and first column), a sealing status change asks first and can be undone, a removal asks
first. Screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from licheng.audit.services import Actor
from licheng.schedule import services as schedule_services
from licheng.schedule.models import ScheduleEntry
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


def test_permission_matrix_uses_the_width_and_keeps_its_headers(
    live_server: LiveServer, desktop_page: Page, screenshot_dir: Path
) -> None:
    build_personas()
    page = desktop_page
    _log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/people/roles/")
    wrap = page.locator(".matrix-wrap")
    box = wrap.bounding_box()
    assert box is not None and box["width"] > 1100  # not squeezed into a 640 px column
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(screenshot_dir / "office-roles-1280.png"))
    header = page.locator(".table.matrix thead th").nth(1)
    first_label = page.locator(".table.matrix tbody th.matrix-label").first
    before = header.bounding_box()
    wrap.evaluate("el => { el.scrollTop = 600; el.scrollLeft = 400; }")
    after = header.bounding_box()
    assert before is not None and after is not None and abs(after["y"] - box["y"]) < 4  # the header row stays
    label = first_label.bounding_box()
    assert label is not None and abs(label["x"] - box["x"]) < 4  # the first column stays
    assert page.locator("tr.matrix-group").count() > 5  # grouped by area
    page.screenshot(path=str(screenshot_dir / "office-roles-scrolled-1280.png"))


def test_graduation_asks_warns_and_can_be_undone(
    live_server: LiveServer, desktop_page: Page, screenshot_dir: Path
) -> None:
    p = build_personas()
    page = desktop_page
    base = live_server.url
    _log_in(page, base, "registry")
    page.goto(f"{base}/lifecycle/students/{p.student.pk}/")
    page.locator("summary", has_text="畢業").click()
    page.fill("input[name=graduate-effective_on]", "115.06.15")
    page.locator("form[action$='/change/graduate/'] button[type=submit]").click()
    page.wait_for_selector("text=將封存的內容")
    assert page.locator("text=不是 12 年級").count() == 1
    page.screenshot(path=str(screenshot_dir / "office-graduation-confirm-1280.png"), full_page=True)
    confirm_colour = page.locator("button.danger").evaluate("el => getComputedStyle(el).backgroundColor")
    assert confirm_colour == "rgb(164, 22, 26)"  # the danger red, not the everyday blue
    p.student.refresh_from_db()
    assert p.student.sealed_at is None
    page.locator("button.danger").click()
    page.wait_for_url(f"{base}/lifecycle/students/{p.student.pk}/")
    p.student.refresh_from_db()
    assert p.student.status == "graduated" and p.student.sealed_at is not None

    page.fill("#correct input[name=reason]", "選錯學生")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#correct button[type=submit]").click()
    page.wait_for_selector("text=已撤銷")
    page.screenshot(path=str(screenshot_dir / "office-graduation-undone-1280.png"), full_page=True)
    p.student.refresh_from_db()
    assert p.student.status == "enrolled" and p.student.sealed_at is None


def test_a_failed_change_form_stays_open_with_what_was_typed(
    live_server: LiveServer, desktop_page: Page, screenshot_dir: Path
) -> None:
    p = build_personas()
    page = desktop_page
    base = live_server.url
    _log_in(page, base, "registry")
    page.goto(f"{base}/lifecycle/students/{p.student.pk}/")
    page.locator("summary", has_text="休學").click()
    page.fill("input[name=suspend-effective_on]", "115.02.30")
    page.fill("input[name=suspend-note]", "家庭因素")
    page.locator("form[action$='/change/suspend/'] button[type=submit]").click()
    page.wait_for_selector("#change-problem")
    assert page.locator("details[open] input[name=suspend-note]").input_value() == "家庭因素"
    page.screenshot(path=str(screenshot_dir / "office-lifecycle-error-1280.png"), full_page=True)


def test_removing_a_window_asks_first(live_server: LiveServer, desktop_page: Page, screenshot_dir: Path) -> None:
    p = build_personas()
    entry = schedule_services.schedule_entry_create(
        actor=Actor(user=p.registry),
        term=p.term,
        work_item="pre_check",
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2025, 9, 30),
        publish=False,
    )
    page = desktop_page
    base = live_server.url
    _log_in(page, base, "registry")
    page.goto(f"{base}/schedule/?term={p.term.pk}")
    page.screenshot(path=str(screenshot_dir / "office-schedule-draft-1280.png"), full_page=True)
    questions: list[str] = []

    def dismiss(dialog: object) -> None:
        questions.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.once("dialog", dismiss)
    page.locator(f"form[action$='/entry/{entry.pk}/delete/'] button").click()
    page.wait_for_timeout(300)
    assert questions and "移除" in questions[0]
    assert ScheduleEntry.objects.filter(pk=entry.pk).exists()


def test_the_grades_import_preview_fits_and_keeps_codes_on_one_line(
    live_server: LiveServer, desktop_page: Page, screenshot_dir: Path, tmp_path: Path
) -> None:
    from licheng.records.importers import RECORD_TYPES
    from licheng.records.tests.conftest import CODE, xlsx

    p = build_personas()
    headers = [c.header for c in RECORD_TYPES["grades"].columns]  # every column, as the export writes them
    values: dict[str, object] = {
        "學號": p.student.student_number,
        "學年期": "114-1",
        "課程代碼": CODE,
        "科目名稱": "國語文",
    }
    values |= {"開課年級": 10, "學分數": 4, "學期成績": 85, "是否及格": 1, "修課類別": "一般"}
    rows = [[values.get(h, "") for h in headers] for _ in range(3)]
    rows[1][headers.index("學年期")] = "114-2"
    rows[2][headers.index("學年期")] = "113-9"  # one bad cell: its message may wrap, nothing else
    path = tmp_path / "grades.xlsx"
    path.write_bytes(xlsx([headers, *rows]))
    page = desktop_page
    base = live_server.url
    _log_in(page, base, "registry")
    page.goto(f"{base}/records/import/grades/")
    page.set_input_files("input[type=file]", str(path))
    page.locator("form:has(input[type=file]) button[type=submit]").click()
    page.wait_for_selector(".import-preview")
    page.screenshot(path=str(screenshot_dir / "office-grades-import-preview-1280.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    line_height = page.locator(".import-preview tbody th").first.bounding_box()
    code_cell = page.locator(".import-preview tbody tr").first.locator("td").nth(1)
    number_cell = page.locator(".import-preview tbody tr").first.locator("td").first
    assert line_height is not None
    for cell in (code_cell, number_cell):
        box = cell.bounding_box()
        assert box is not None and box["height"] <= line_height["height"] + 1  # one line, not four
    assert page.locator("text=欄在每一列都是空的").count() == 1


OFFICE_PAGES = {
    "activities": ["/records/cadre-roles/"],
    "guidance": ["/records/career-exploration/"],
    "registry": [
        "/records/grades/",
        "/records/rosters/precheck/",
        "/schedule/extensions/",
        "/schedule/term/{term}/new/",
        "/progress/checklist/",
        "/lifecycle/graduate/",
        "/portfolio/extensions/",
    ],
    "admin": ["/working-group/trainings/", "/working-group/meetings/new/", "/announcements/", "/courses/"],
}


def test_changed_office_pages_fit_at_1280(live_server: LiveServer, desktop_page: Page, screenshot_dir: Path) -> None:
    from licheng.testing.factories import make_staff

    p = build_personas()
    make_staff(p.school, "activities", username="activities")
    make_staff(p.school, "guidance", username="guidance")
    page = desktop_page
    for username, urls in OFFICE_PAGES.items():
        page.context.clear_cookies()
        _log_in(page, live_server.url, username)
        for url in urls:
            url = url.format(term=p.term.pk)
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status < 400, url
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280, url
            assert page.locator("input[type=date]").count() == 0, url  # ROC dates are typed, not picked
            name = url.strip("/").replace("/", "-").replace(str(p.term.pk), "term")
            page.screenshot(path=str(screenshot_dir / f"office-{name}-1280.png"), full_page=True)


def test_changed_office_pages_fit_a_phone(live_server: LiveServer, phone_page: Page, screenshot_dir: Path) -> None:
    """The same pages at 390 px: wide tables scroll inside their own region, the page does not."""
    from licheng.testing.factories import make_staff

    p = build_personas()
    make_staff(p.school, "activities", username="activities")
    make_staff(p.school, "guidance", username="guidance")
    page = phone_page
    pages = {**OFFICE_PAGES, "admin": [*OFFICE_PAGES["admin"], "/people/roles/"]}
    for username, urls in pages.items():
        page.context.clear_cookies()
        _log_in(page, live_server.url, username)
        for url in urls:
            url = url.format(term=p.term.pk)
            page.goto(f"{live_server.url}{url}")
            width = page.evaluate("document.documentElement.scrollWidth")
            name = url.strip("/").replace("/", "-").replace(str(p.term.pk), "term")
            page.screenshot(path=str(screenshot_dir / f"office-{name}-390.png"), full_page=True)
            assert width <= 390, (url, width)
