"""The whole course-outcome round in a real browser: a student uploads on a phone, the teacher
certifies one and rejects one with a reason, the student sees both, selects, and hits the cap."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from licheng.files.tests import corpus
from licheng.portfolio.models import CertificationReason, CourseOutcomeSelection, CourseOutcomeVersion
from licheng.portfolio.tests.conftest import make_outcome
from licheng.schools.models import SchoolRules
from licheng.testing.personas import PASSWORD, build_personas

if TYPE_CHECKING:
    from playwright.sync_api import FilePayload, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(f"{base_url}/")


def _upload(page: Page, base_url: str, course_id: int, description: str, name: str) -> None:
    page.goto(f"{base_url}/portfolio/")
    page.select_option("select[name=course]", value=str(course_id))
    page.fill("textarea[name=description]", description)
    payload: FilePayload = {"name": name, "mimeType": "application/pdf", "buffer": corpus.pdf()}
    page.set_input_files("input[name=files]", files=[payload])
    page.locator("form:has(input[name=files]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/portfolio/\d+/$"))


def test_upload_certify_reject_select_and_hit_the_cap(
    live_server: LiveServer, phone_page: Page, desktop_page: Page, screenshot_dir: Path, storage_root: Path
) -> None:
    p = build_personas()
    today = timezone.localdate()
    for kind in ("upload", "certification", "selection"):
        setattr(p.term, f"{kind}_opens_on", today - datetime.timedelta(days=1))
        setattr(p.term, f"{kind}_closes_on", today + datetime.timedelta(days=7))
    p.term.save()
    SchoolRules.objects.update_or_create(school=p.school, academic_year=None, defaults={"course_outcomes_selected": 1})
    make_outcome(p.student, p.course, state="passed")  # certified earlier in the year
    base = live_server.url

    # The student uploads two course outcomes on a phone.
    _log_in(phone_page, base, "student")
    _upload(phone_page, base, p.course.pk, "國文閱讀心得報告", "report.pdf")
    _upload(phone_page, base, p.course.pk, "古文朗讀練習", "reading.pdf")
    phone_page.goto(f"{base}/portfolio/")
    assert "3 / 9" in phone_page.locator("#counters").inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= screen.width + 1")
    phone_page.screenshot(path=str(screenshot_dir / "portfolio-student-upload.png"), full_page=True)

    # The teacher passes one and rejects the other with a reason.
    _log_in(desktop_page, base, "teacher")
    desktop_page.goto(f"{base}/portfolio/queue/")
    body = desktop_page.locator("body").inner_text()
    assert "不評定作品的優劣" in body
    desktop_page.locator("li.card", has_text="國文閱讀心得報告").get_by_role("button", name="通過", exact=True).click()
    desktop_page.wait_for_load_state()
    card = desktop_page.locator("li.card", has_text="古文朗讀練習")
    unrelated = CertificationReason.objects.get(school=p.school, code="01")
    card.locator("details.not-pass summary").click()  # the not-pass form opens on demand
    card.locator("select[name=reason]").select_option(value=str(unrelated.pk))
    card.get_by_role("button", name="不通過", exact=True).click()
    desktop_page.wait_for_load_state()
    desktop_page.screenshot(path=str(screenshot_dir / "portfolio-teacher-queue.png"), full_page=True)
    states = dict(CourseOutcomeVersion.objects.values_list("description", "state"))
    assert states["國文閱讀心得報告"] == "passed" and states["古文朗讀練習"] == "not_passed"

    # The student sees both results.
    phone_page.goto(f"{base}/portfolio/")
    text = phone_page.locator("body").inner_text()
    assert "已認證" in text and "未通過" in text and "與本課程無關" in text

    # The student selects one of the two certified outcomes and hits the cap (1 here): the other
    # one can no longer be selected.
    phone_page.goto(f"{base}/portfolio/selection/")
    select_buttons = phone_page.locator("#selection button", has_text=re.compile("^勾選$"))
    assert select_buttons.count() == 2
    select_buttons.first.click()
    # (A locator assertion: the page's Content-Security-Policy refuses wait_for_function's eval.)
    from playwright.sync_api import expect

    expect(phone_page.locator("#counters")).to_contain_text("1 / 1")
    assert CourseOutcomeSelection.objects.count() == 1
    remaining = phone_page.locator("#selection button", has_text=re.compile("^勾選$"))
    assert remaining.count() == 1 and remaining.is_disabled()
    phone_page.screenshot(path=str(screenshot_dir / "portfolio-student-selection.png"), full_page=True)
