"""Importing receipt ZIPs: good ones in every encoding, and each kind of bad input refused with a
clear message and nothing stored."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from licheng.receipts import generator
from licheng.receipts.models import ReceiptImport, ReceiptRecord, StudentReceipt
from licheng.receipts.tests.conftest import PASSWORD, post_receipt
from licheng.testing.clients import client_in
from licheng.testing.factories import StudentFactory, fictional_national_id


def nothing_stored() -> None:
    assert not ReceiptImport.objects.exists()
    assert not ReceiptRecord.objects.exists()
    assert not StudentReceipt.objects.exists()


CATEGORIES = ["修課紀錄", "課程學習成果", "多元表現", "校內幹部經歷"]


def grades_file(p: Any) -> str:
    return generator.category_file_name(p.submission, "修課紀錄")


@pytest.mark.parametrize(("encryption", "bom"), [("aes", True), ("zipcrypto", True), ("aes", False)])
def test_receipt_imports_and_matches_the_student(built: Any, encryption: str, bom: bool) -> None:
    p = built
    content = generator.receipt_zip(p.submission, PASSWORD, encryption=encryption, bom=bom)
    response = post_receipt(p, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    receipts = list(ReceiptImport.objects.order_by("pk"))
    assert sorted(r.category for r in receipts) == sorted(CATEGORIES)
    for receipt in receipts:
        assert receipt.matched_count == 1 and receipt.unmatched == []
        assert receipt.is_open
        assert receipt.roster_info and all(set(e) == {"名稱", "SHA"} for e in receipt.roster_info)
    assert {a.student for a in StudentReceipt.objects.all()} == {p.student}
    assert StudentReceipt.objects.count() == 4  # one answer per category


def test_public_layout_with_every_tolerance(built: Any) -> None:
    """FORMATS.md §2: hash list named sha.txt with its cells the other way round under a header line,
    名冊資訊 as a list, worksheets sent as null, receipt names of fields (競賽等級, 影音檔案外部連結), an
    unknown worksheet, a lower-case ID, a file that is no category, a birth date that differs."""
    p = built

    def edit(documents: dict[str, Any]) -> None:
        student = documents["修課紀錄"]["修課紀錄"][0]
        student["身分證號"] = student["身分證號"].lower()
        student["出生日期"] = "0010101"
        student["重修成績"] = None
        student["學生自行填寫"] = [{"備註": "unknown sheet, kept"}]

    content = generator.receipt_zip(
        p.submission, PASSWORD, edit=edit, sha_name="sha.txt", hash_first=True, sha_header=True
    )
    response = post_receipt(p, content)
    assert response.status_code == 302, response.content.decode()[:3000]
    grades = ReceiptImport.objects.get(category="修課紀錄")
    assert grades.matched_count == 1
    assert grades.birth_date_mismatches[0]["received"] == "0010101"  # flagged, not dropped
    record = ReceiptRecord.objects.get(receipt=grades)
    assert record.sheets["重修成績"] == [] and record.sheets["學生自行填寫"] == [{"備註": "unknown sheet, kept"}]
    page = client_in("en", p.registry).get(reverse("receipts:detail", args=[grades.pk])).content.decode()
    assert "0010101" in page
    assert p.submission.rosters.exists() if hasattr(p.submission, "rosters") else True
    assert "yes, in submission 1" in page  # 名冊資訊 entries matched to our rosters by hash


def test_files_that_are_no_category_are_skipped(built: Any) -> None:
    p = built
    files = {
        grades_file(p): generator.encode(generator.receipt_documents(p.submission)["修課紀錄"]),
        "readme.txt": b"not a receipt",
    }
    content = generator.build_zip({**files, "SHA.txt": generator.sha_text(files)}, PASSWORD)
    assert post_receipt(p, content).status_code == 302
    receipt = ReceiptImport.objects.get()
    assert receipt.category == "修課紀錄" and receipt.skipped_files == ["readme.txt"]


def test_zip_with_no_category_file(built: Any) -> None:
    files = {"獎懲紀錄.json": b"{}"}
    content = generator.build_zip({**files, "SHA.txt": generator.sha_text(files)}, PASSWORD)
    refused(built, content, "The ZIP holds no receipt file")


def test_json_file_without_a_sha_line(built: Any) -> None:
    p = built
    files = {grades_file(p): b"{}"}
    content = generator.build_zip({**files, "SHA.txt": b"other.json," + b"0" * 64}, PASSWORD)
    refused(p, content, f"{grades_file(p)} is not listed in SHA.txt")


def refused(p: Any, content: bytes, message: str, **kw: Any) -> None:
    response = post_receipt(p, content, **kw)
    assert response.status_code == 400
    assert message in response.content.decode()
    nothing_stored()


def test_wrong_password(built: Any) -> None:
    refused(built, generator.receipt_zip(built.submission, PASSWORD), "The password is wrong", password="guess")


def test_wrong_password_zipcrypto(built: Any) -> None:
    content = generator.receipt_zip(built.submission, PASSWORD, encryption="zipcrypto")
    refused(built, content, "The password is wrong", password="guess")


def test_every_wrong_zipcrypto_password_is_refused_as_such(built: Any) -> None:
    """ZipCrypto's one-byte password check lets about one wrong password in 256 through; the
    garbage that follows must still read as a wrong password, not as a server error."""
    from django.utils import translation

    from licheng.core.errors import ServiceError
    from licheng.receipts.parsing import parse_receipt

    content = generator.receipt_zip(built.submission, PASSWORD, encryption="zipcrypto")
    with translation.override("en"):
        for attempt in range(600):
            with pytest.raises(ServiceError, match="The password is wrong"):
                parse_receipt(content, f"guess-{attempt}")


def test_not_a_zip(built: Any) -> None:
    refused(built, b"hello", "This is not a ZIP file")


def test_tampered_file(built: Any) -> None:
    name = grades_file(built)

    def tamper(files: dict[str, bytes]) -> None:
        files[name] = files[name].replace(b"86", b"99")

    content = generator.receipt_zip(built.submission, PASSWORD, after_hashing=tamper)
    refused(built, content, f"{name} does not match its SHA-256")


def test_hash_checked_before_json_is_read(built: Any) -> None:
    """A file that is both tampered and malformed is refused for its hash."""
    name = grades_file(built)
    files = {name: b"{not json"}
    sha = generator.sha_text({name: b"{}"})
    content = generator.build_zip({**files, "SHA.txt": sha}, PASSWORD)
    refused(built, content, "does not match its SHA-256")


def test_malformed_json(built: Any) -> None:
    name = grades_file(built)
    files = {name: b'\xef\xbb\xbf{"\xe5\x90\x8d": '}
    content = generator.build_zip({**files, "SHA.txt": generator.sha_text(files)}, PASSWORD)
    refused(built, content, f"{name} is not valid JSON")


def test_json_that_is_not_a_receipt(built: Any) -> None:
    name = grades_file(built)
    files = {name: generator.encode({"名冊資訊": [], "a": [], "b": []})}
    content = generator.build_zip({**files, "SHA.txt": generator.sha_text(files)}, PASSWORD)
    refused(built, content, f"{name} does not have the receipt layout")


def test_student_of_another_school_reads_like_an_unknown_id(built: Any) -> None:
    """An ID enrolled at another school is reported exactly like one enrolled nowhere."""
    p = built
    other = StudentFactory.create(school_class__school=p.other_school)
    unknown = fictional_national_id()

    def add(documents: dict[str, Any]) -> None:
        for nid in (other.national_id, unknown):
            documents["修課紀錄"]["修課紀錄"].append({"身分證號": nid, "出生日期": "0950101", "學期成績": None})

    response = post_receipt(p, generator.receipt_zip(p.submission, PASSWORD, edit=add))
    assert response.status_code == 302
    receipt = ReceiptImport.objects.get(category="修課紀錄")
    assert [u["reason"] for u in receipt.unmatched] == ["no student with this national ID"] * 2
    assert StudentReceipt.objects.filter(receipt=receipt).count() == 1
    page = client_in("en", p.registry).get(reverse("receipts:detail", args=[receipt.pk])).content.decode()
    assert "another school" not in page


def test_duplicate_student(built: Any) -> None:
    def duplicate(documents: dict[str, Any]) -> None:
        rows = documents["修課紀錄"]["修課紀錄"]
        rows.append(json.loads(json.dumps(rows[0])))

    refused(built, generator.receipt_zip(built.submission, PASSWORD, edit=duplicate), "lists the same student twice")


def test_same_file_twice(built: Any) -> None:
    content = generator.receipt_zip(built.submission, PASSWORD)
    assert post_receipt(built, content).status_code == 302
    response = post_receipt(built, content)
    assert response.status_code == 400
    assert "imported already" in response.content.decode()
    assert ReceiptImport.objects.count() == 4


def test_window_must_leave_three_days(built: Any) -> None:
    from licheng.schools.rocdate import format_roc

    today = timezone.localdate()
    content = generator.receipt_zip(built.submission, PASSWORD)
    end = format_roc(today + datetime.timedelta(days=1))
    refused(built, content, "at least 3 days", opens_on=format_roc(today), closes_on=end)


def test_window_that_ends_before_it_starts(built: Any) -> None:
    content = generator.receipt_zip(built.submission, PASSWORD)
    refused(built, content, "ends before it starts", opens_on="115.12.10", closes_on="115.12.01")


def test_window_in_the_past_is_refused(built: Any) -> None:
    content = generator.receipt_zip(built.submission, PASSWORD)
    refused(built, content, "is already over", opens_on="114.10.01", closes_on="114.10.05")


def test_without_a_window_students_see_but_cannot_answer(built: Any, django_capture_on_commit_callbacks: Any) -> None:
    """No window given and none in the schedule: the receipt is imported; each category's window is
    set afterwards by the registry, who cannot set one in the past; students are told when it opens."""
    from licheng.notifications.models import Notification
    from licheng.schools.rocdate import format_roc

    p = built
    response = post_receipt(p, generator.receipt_zip(p.submission, PASSWORD), opens_on="", closes_on="")
    assert response.status_code == 302
    receipt = ReceiptImport.objects.get(category="修課紀錄")
    assert not receipt.has_window and not receipt.is_open
    answer = StudentReceipt.objects.get(receipt=receipt)
    student = client_in("en", p.student_user)
    page = student.get(reverse("receipts:mine")).content.decode()
    assert "The school will tell you when you can confirm it" in page
    assert student.post(reverse("receipts:confirm", args=[answer.pk])).status_code == 302
    answer.refresh_from_db()
    assert answer.status == "pending"
    registry = client_in("en", p.registry)
    past = {"opens_on": "114.10.01", "closes_on": "114.10.05"}
    refused_page = registry.post(reverse("receipts:window", args=[receipt.pk]), past)
    assert refused_page.status_code == 400 and "is already over" in refused_page.content.decode()
    receipt.refresh_from_db()
    assert not receipt.has_window
    opens = timezone.localdate() + datetime.timedelta(days=2)
    chosen = {"opens_on": format_roc(opens), "closes_on": format_roc(opens + datetime.timedelta(days=4))}
    with django_capture_on_commit_callbacks(execute=True):
        assert registry.post(reverse("receipts:window", args=[receipt.pk]), chosen).status_code == 302
    receipt.refresh_from_db()
    assert (receipt.opens_on, receipt.closes_on) == (opens, opens + datetime.timedelta(days=4))
    assert not ReceiptImport.objects.get(category="多元表現").has_window  # per category
    notice = Notification.objects.get(user=p.student_user, category="receipt")
    assert notice.params["opens"] == format_roc(opens) and notice.params["category"] == "修課紀錄"
    page = student.get(reverse("receipts:mine")).content.decode()
    assert f"You can answer from {format_roc(opens)}" in page


def test_schedule_window_in_the_past_is_not_applied(built: Any) -> None:
    """The schedule's receipt window for the term is already over: it is not taken silently."""
    from licheng.schedule.models import ScheduleEntry

    p = built
    ScheduleEntry.objects.create(
        school=p.school,
        term=p.term,
        work_item="receipt_confirmation",
        office="registry",
        starts_on=datetime.date(2025, 10, 1),
        ends_on=datetime.date(2025, 10, 5),
        published_at=timezone.now(),
    )
    response = post_receipt(p, generator.receipt_zip(p.submission, PASSWORD), opens_on="", closes_on="")
    assert response.status_code == 302
    receipt = ReceiptImport.objects.get(category="修課紀錄")
    assert not receipt.has_window
    page = client_in("en", p.registry).get(reverse("receipts:detail", args=[receipt.pk])).content.decode()
    assert "The schedule&#x27;s window was not used" in page or "The schedule's window was not used" in page


def test_unmatched_students_are_reported(built: Any) -> None:
    p = built
    unknown = fictional_national_id()

    def add(documents: dict[str, Any]) -> None:
        documents["多元表現"]["多元表現"].append({"身分證號": unknown, "出生日期": "0950101", "作品成果紀錄": []})

    response = post_receipt(p, generator.receipt_zip(p.submission, PASSWORD, edit=add))
    assert response.status_code == 302
    receipt = ReceiptImport.objects.get(category="多元表現")
    assert [(u["category"], u["reason"]) for u in receipt.unmatched] == [
        ("多元表現", "no student with this national ID")
    ]
    assert unknown not in json.dumps(receipt.unmatched)  # masked
    page = client_in("en", p.registry).get(reverse("receipts:detail", args=[receipt.pk])).content.decode()
    assert "no student with this national ID" in page


def test_round_trip_from_the_rosters_own_rows_reads_same(
    personas: Any, storage_root: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Build a submission with rows on several variant sheets → make the receipt from the roster
    workbooks as the central database would → import → every row of every category is "same"."""
    import decimal

    from licheng.performances.models import Performance, PerformanceSelection
    from licheng.portfolio.models import CourseOutcome, CourseOutcomeSelection, CourseOutcomeVersion
    from licheng.receipts.selectors import comparison
    from licheng.records.models import Grade
    from licheng.submissions.models import Submission
    from licheng.submissions.sample import add_student_data
    from licheng.testing.factories import make_course

    p = personas
    p.school_class.grade = 10
    p.school_class.save()
    add_student_data(p.student, p.term, p.course, verifier=p.registry)
    retaken = make_course(p.term, p.subject_teacher, subject="英文", school_class=p.school_class, credits=2)
    retaken.course_code = "114123456A1101010000002"
    retaken.save()
    Grade.objects.create(
        school=p.school,
        student=p.student,
        academic_year=114,
        term=1,
        variant="retake",
        course_code=retaken.course_code,
        subject_name="英文",
        grade_level=10,
        credits=2,
        original_academic_year=113,
        original_term=2,
        original_course_code="113" + retaken.course_code[3:],
        original_subject_name="英文",
        original_grade_level=10,
        original_credits=2,
        retake_score=decimal.Decimal("60.5"),
        retake_passed=True,
    )
    outcome = CourseOutcome.objects.create(
        school=p.school, student=p.student, course=retaken, term=p.term, academic_year=p.term.academic_year
    )
    version = CourseOutcomeVersion.objects.create(
        school=p.school,
        outcome=outcome,
        number=1,
        description="重修英文作品",
        state="passed",
        decided_at=timezone.now(),
    )
    CourseOutcomeSelection.objects.create(
        school=p.school, student=p.student, academic_year=p.term.academic_year, outcome=outcome, version=version
    )
    competition = Performance.objects.create(
        school=p.school,
        student=p.student,
        academic_year=p.term.academic_year,
        kind=2,
        description="科展",
        external_link="https://video.example.tw/1",
        fields={
            "name": "科展",
            "event": "物理",
            "level": "2",
            "award": "佳作",
            "result_date": "2025-11-01",
            "participation": "2",
        },
    )
    PerformanceSelection.objects.create(
        school=p.school, student=p.student, academic_year=p.term.academic_year, performance=competition
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_in("en", p.registry).post(reverse("submissions:start"), {"term": p.term.pk})
    p.submission = Submission.objects.get(school=p.school)
    assert p.submission.status == "done", p.submission.error
    documents = generator.receipt_from_rosters(p.submission)
    competition_rows = documents["多元表現"]["多元表現"][0]["競賽參與紀錄"]
    assert competition_rows[0]["競賽等級"] == "2" and "競賽等級代碼" not in competition_rows[0]  # the receipt's name
    content = generator.receipt_zip(p.submission, PASSWORD, from_rosters=True)
    assert post_receipt(p, content).status_code == 302
    answers = StudentReceipt.objects.filter(student=p.student)
    assert answers.count() == 4
    seen_sheets = set()
    for answer in answers:
        for category in comparison(answer):
            for sheet in category.sheets:
                seen_sheets.add(sheet.name)
                assert sheet.rows, (category.category, sheet.name)
                assert {row.state for row in sheet.rows} == {"same"}, (category.category, sheet.name, sheet.rows)
    assert {
        "學期成績",
        "補修成績",
        "重修成績",
        "學期課程學習成果",
        "重修課程學習成果",
        "競賽參與紀錄",
        "作品成果紀錄",
        "幹部經歷紀錄",
    } <= seen_sheets
    page = client_in("en", p.student_user).get(reverse("receipts:mine")).content.decode()
    assert "Sent, not received" not in page and "Received, not sent" not in page and "60.5" in page
