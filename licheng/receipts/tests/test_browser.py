"""A term end to end in a real browser: the readiness report is clean, the registry builds and
downloads the rosters, imports the receipt generated from them, one student confirms and prints,
one disputes, the registry answers, the window closes and the rest are waived."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from django.utils import timezone

from licheng.receipts import generator
from licheng.receipts.models import ReceiptImport, StudentReceipt
from licheng.receipts.tasks import close_confirmation_windows
from licheng.receipts.tests.conftest import PASSWORD as ZIP_PASSWORD
from licheng.schools.rocdate import format_roc
from licheng.submissions import rosters as R
from licheng.submissions.models import Submission
from licheng.submissions.sample import add_student_data
from licheng.testing.factories import StudentFactory, UserFactory
from licheng.testing.personas import PASSWORD, build_personas

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser: Browser, *, phone: bool = False) -> Page:
    context = browser.new_context(
        viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900},
        locale="zh-TW",
        timezone_id="Asia/Taipei",
        is_mobile=phone,
        accept_downloads=True,
    )
    context.set_default_timeout(20_000)
    return context.new_page()


def _built(submission: Submission) -> Submission:
    """The build runs on the task queue after the request commits; in tests the immediate backend
    runs it there and then. Once, in a full run, it was still queued when the page came back, so
    here the test does the worker's part for a build still waiting after a few seconds."""
    import time

    from licheng.submissions.tasks import build_submission

    deadline = time.monotonic() + 5
    while submission.status == "queued" and time.monotonic() < deadline:
        time.sleep(0.2)
        submission.refresh_from_db()
    if submission.status == "queued":
        build_submission.call(submission_id=submission.pk)
        submission.refresh_from_db()
    return submission


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(f"{base}/")


def test_a_term_end_to_end(live_server: LiveServer, chromium: Browser, screenshot_dir: Path, storage_root: Any) -> None:
    p = build_personas()
    p.school_class.grade = 10
    p.school_class.save()
    others = [
        StudentFactory.create(
            school_class=p.school_class, user=UserFactory.create(school=p.school, username=f"student{i}"), name=name
        )
        for i, name in ((2, "林雅婷"), (3, "張志豪"))
    ]
    for student in (p.student, *others):
        add_student_data(student, p.term, p.course, verifier=p.registry)
    base = live_server.url

    # Readiness is clean; the registry builds the submission and downloads a roster.
    registry = _page(chromium)
    _log_in(registry, base, "registry")
    registry.goto(f"{base}/submissions/?term={p.term.pk}")
    assert registry.locator("#readiness .ready").count() == 1
    registry.locator("form[action$='/submissions/start/'] button[type=submit]").click()
    registry.wait_for_url(re.compile(r"/submissions/\d+/$"))
    submission = _built(Submission.objects.get(school=p.school))
    assert submission.status == "done", submission.error
    registry.reload()
    registry.screenshot(path=str(screenshot_dir / "submissions-detail.png"), full_page=True)
    with registry.expect_download() as download_info:
        registry.locator("a[href$='/rosters/26/']").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()), read_only=True)
    assert book.sheetnames == [R.COVER_SHEET, *(sheet.name for sheet in R.ROSTERS["26"].sheets)]
    assert book.sheetnames[1] == "學期課程學習成果"
    assert len(list(book["學期課程學習成果"].iter_rows(values_only=True))) == 4  # header + three students
    with registry.expect_download() as download_info:
        registry.locator("a[href$='/package.zip']").click()
    assert Path(download_info.value.path()).stat().st_size > 0

    # The central database's receipt, generated from the snapshot, is imported.
    receipt_file = Path(screenshot_dir) / "receipt.zip"
    receipt_file.write_bytes(generator.receipt_zip(submission, ZIP_PASSWORD, encryption="zipcrypto"))
    today = timezone.localdate()
    registry.goto(f"{base}/receipts/")
    registry.select_option("select[name=term]", value=str(p.term.pk))
    registry.set_input_files("input[name=upload]", str(receipt_file))
    registry.fill("input[name=password]", ZIP_PASSWORD)
    registry.fill("input[name=opens_on]", format_roc(today))
    registry.fill("input[name=closes_on]", format_roc(today + datetime.timedelta(days=3)))
    registry.locator("form[action$='/receipts/import/'] button[type=submit]").click()
    registry.wait_for_url(re.compile(r"/receipts/\d+/$"))
    assert sorted(ReceiptImport.objects.values_list("category", flat=True)) == sorted(R.RECEIPT_CATEGORIES)
    receipt = ReceiptImport.objects.get(category=R.CATEGORY_PERFORMANCES)
    assert receipt.matched_count == 3
    registry.screenshot(path=str(screenshot_dir / "receipts-imported.png"), full_page=True)

    # One student confirms on a phone and prints the confirmation.
    confirming = _page(chromium, phone=True)
    _log_in(confirming, base, "student")
    confirming.goto(f"{base}/receipts/mine/")
    assert "國文課程專題報告" in confirming.locator("body").inner_text()
    assert "與學校提交的資料不同" not in confirming.locator("body").inner_text()
    for _category in R.RECEIPT_CATEGORIES:  # one answer per category
        confirming.locator("form[action$='/confirm/'] button[type=submit]").first.click()
        confirming.wait_for_load_state()
    assert confirming.locator("form[action$='/confirm/']").count() == 0
    assert confirming.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    confirming.screenshot(path=str(screenshot_dir / "receipts-confirming.png"), full_page=True)
    with confirming.expect_download() as download_info:
        confirming.locator("a[href$='/confirmation.pdf']").first.click()
    assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF")

    # Another disputes.
    second = _page(chromium, phone=True)
    _log_in(second, base, "student2")
    second.goto(f"{base}/receipts/mine/")
    card = second.locator("section.receipt", has_text=R.CATEGORY_PERFORMANCES)
    card.locator("details.dispute summary").click()
    card.locator("select[name=reason]").select_option(value="missing")
    card.locator("textarea[name=text]").fill("我的服務學習時數沒有出現")
    card.locator("form[action$='/dispute/'] button[type=submit]").click()
    second.wait_for_load_state()
    statuses = dict(StudentReceipt.objects.filter(receipt=receipt).values_list("student__user__username", "status"))
    assert statuses == {"student": "confirmed", "student2": "disputed", "student3": "pending"}

    # The registry answers the dispute.
    registry.goto(f"{base}/receipts/{receipt.pk}/")
    dispute = registry.locator("article.dispute", has_text="我的服務學習時數沒有出現")
    dispute.locator("textarea[name=reply]").fill("已查明並補登，下次提交時更正")
    dispute.locator("input[name=resubmit]").check()
    dispute.locator("button[type=submit]").click()
    registry.wait_for_load_state()
    assert StudentReceipt.objects.get(receipt=receipt, student__user__username="student2").resubmit

    # The window closes; the student who did nothing waived objection.
    ReceiptImport.objects.filter(pk=receipt.pk).update(
        opens_on=today - datetime.timedelta(days=4), closes_on=today - datetime.timedelta(days=1)
    )
    assert close_confirmation_windows.call() == 1
    registry.goto(f"{base}/receipts/{receipt.pk}/")
    cells = registry.locator("#dashboard tbody tr").first.locator("td").all_inner_texts()
    assert cells == ["101", "3", "1", "1", "1", "0"]
    registry.screenshot(path=str(screenshot_dir / "receipts-dashboard.png"), full_page=True)
