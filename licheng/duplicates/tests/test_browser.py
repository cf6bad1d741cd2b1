"""The teacher, on a phone, opens a course outcome that another student handed in too, sees the
warning and follows its link to the other student's work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from licheng.duplicates.tests.test_duplicates import setting
from licheng.portfolio.tests.conftest import World
from licheng.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_teacher_sees_the_duplicate_warning_and_follows_it(
    world: World, live_server: Any, phone_page: Any, screenshot_dir: Path
) -> None:
    s = setting(world)
    page = phone_page
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", world.p.subject_teacher.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.goto(live_server.url + reverse("portfolio:outcome_detail", args=[s["copied"].pk]))
    hints = page.locator("#duplicate-hints")
    assert "完全相同的檔案" in hints.inner_text()
    page.screenshot(path=str(screenshot_dir / "duplicates-warning.png"), full_page=True)
    target = reverse("portfolio:outcome_detail", args=[s["first"].pk])
    hints.locator(f"li[data-whose=other_student] a[href='{target}']").click()
    page.wait_for_url(f"**{target}")
    assert world.p.student.name in page.inner_text("main")
