"""Role-shaped screens in a real browser: the teacher ticks every listed outcome at once and passes
them; a course counsellor finds a student for a counselling record by typing part of a name."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from licheng.portfolio.models import CourseOutcomeVersion
from licheng.portfolio.tests.conftest import make_outcome
from licheng.testing.factories import StudentFactory, enrol, make_staff
from licheng.testing.personas import PASSWORD, build_personas

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = datetime.timedelta(days=1)


def _log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(f"{base_url}/")


def test_teacher_ticks_all_and_passes_them(live_server: LiveServer, desktop_page: Page, screenshot_dir: Path) -> None:
    p = build_personas()
    today = timezone.localdate()
    p.term.certification_opens_on, p.term.certification_closes_on = today - DAY, today + DAY
    p.term.save()
    classmates = StudentFactory.create_batch(2, school_class=p.school_class)
    enrol(p.course, *classmates)
    for student in (p.student, *classmates):
        make_outcome(student, p.course)
    _log_in(desktop_page, live_server.url, "teacher")

    desktop_page.goto(f"{live_server.url}/portfolio/queue/?course={p.course.pk}&state=pending")
    # previews wait behind "show the preview": three outcomes make a short page
    assert desktop_page.locator("details.preview").count() == 3
    assert not desktop_page.locator("details.preview img").first.is_visible()
    desktop_page.screenshot(path=str(screenshot_dir / "teacher-queue.png"), full_page=True)
    desktop_page.locator("input[data-select-all]").check()
    assert desktop_page.locator("input[name=version]:checked").count() == 3
    desktop_page.locator("#pass-selected button[type=submit]").click()
    desktop_page.wait_for_load_state()
    assert set(CourseOutcomeVersion.objects.values_list("state", flat=True)) == {"passed"}


def test_students_for_a_counselling_record_are_found_by_typing(live_server: LiveServer, phone_page: Page) -> None:
    p = build_personas()
    p.school_class.counsellor = make_staff(p.school, "course_counsellor", username="counsellor", name="呂老師")
    p.school_class.save()
    for i in range(30):
        StudentFactory.create(school_class=p.school_class, name=f"學生{i:02d}")
    _log_in(phone_page, live_server.url, "counsellor")

    phone_page.goto(f"{live_server.url}/counselling/new/")
    search = phone_page.get_by_role("searchbox")
    assert search.get_attribute("aria-label")
    search.fill("陳小")
    visible = phone_page.locator("select[name=participants] option:not([hidden])")
    assert visible.count() == 1 and "陳小明" in visible.first.inner_text()
    phone_page.select_option("select[name=participants]", label=visible.first.inner_text())
    assert "1 / 31" in phone_page.locator(".select-count").inner_text()
