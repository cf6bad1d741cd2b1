"""Importing receipt ZIPs: good ones in every encoding, and each kind of bad input refused with a
clear message and nothing stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from licheng.receipts import generator
from licheng.receipts.models import ReceiptImport, ReceiptRecord, StudentReceipt
from licheng.receipts.tests.conftest import PASSWORD, post_receipt
from licheng.testing.clients import client_in
from licheng.testing.factories import StudentFactory, fictional_national_id


def nothing_stored() -> None:
    assert not ReceiptImport.objects.exists()
    assert not ReceiptRecord.objects.exists()
    assert not StudentReceipt.objects.exists()


@pytest.mark.parametrize(("encryption", "bom"), [("aes", True), ("zipcrypto", True), ("aes", False)])
def test_receipt_imports_and_matches_the_student(built: Any, encryption: str, bom: bool) -> None:
    p = built
    content = generator.receipt_zip(p.submission, PASSWORD, encryption=encryption, bom=bom)
    response = post_receipt(p, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    receipt = ReceiptImport.objects.get()
    assert receipt.matched_count == 1
    assert receipt.unmatched == []
    assert sorted(receipt.categories) == sorted(["修課紀錄", "課程學習成果", "多元表現", "幹部經歷"])
    assert StudentReceipt.objects.get().student == p.student
    assert receipt.is_open


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
    def tamper(files: dict[str, bytes]) -> None:
        files["course_records.json"] = files["course_records.json"].replace(b"86", b"99")

    content = generator.receipt_zip(built.submission, PASSWORD, after_hashing=tamper)
    refused(built, content, "course_records.json does not match its SHA-256")


def test_hash_checked_before_json_is_read(built: Any) -> None:
    """A file that is both tampered and malformed is refused for its hash."""
    files = {"course_records.json": b"{not json"}
    sha = generator.sha_text({"course_records.json": b"{}"})
    content = generator.build_zip({**files, "SHA.txt": sha}, PASSWORD)
    refused(built, content, "does not match its SHA-256")


def test_malformed_json(built: Any) -> None:
    files = {"course_records.json": b'\xef\xbb\xbf{"\xe5\x90\x8d": '}
    content = generator.build_zip({**files, "SHA.txt": generator.sha_text(files)}, PASSWORD)
    refused(built, content, "course_records.json is not valid JSON")


def test_unknown_category(built: Any) -> None:
    def rename(documents: dict[str, Any]) -> None:
        document = documents.pop("修課紀錄")
        document["獎懲紀錄"] = document.pop("修課紀錄")
        documents["獎懲紀錄"] = document

    refused(built, generator.receipt_zip(built.submission, PASSWORD, edit=rename), "unknown category “獎懲紀錄”")


def test_student_of_another_school(built: Any) -> None:
    p = built
    other = StudentFactory.create(school_class__school=p.other_school)
    stranger_id = other.national_id

    def add(documents: dict[str, Any]) -> None:
        documents["修課紀錄"]["修課紀錄"].append({"身分證號": stranger_id, "出生日期": "0950101", "學期成績": []})

    refused(p, generator.receipt_zip(p.submission, PASSWORD, edit=add), "1 students of another school")


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
    assert ReceiptImport.objects.count() == 1


def test_receipt_for_another_term(built: Any) -> None:
    def other_year(documents: dict[str, Any]) -> None:
        for document in documents.values():
            document["名冊資訊"]["學年度"] = "113"

    refused(built, generator.receipt_zip(built.submission, PASSWORD, edit=other_year), "not for 114-1")


def test_window_must_be_three_days(built: Any) -> None:
    content = generator.receipt_zip(built.submission, PASSWORD)
    refused(built, content, "at least 3 days", opens_on="114.10.01", closes_on="114.10.02")


def test_window_dates_needed_without_a_schedule(built: Any) -> None:
    content = generator.receipt_zip(built.submission, PASSWORD)
    refused(built, content, "enter its first and last day", opens_on="", closes_on="")


def test_unmatched_students_are_reported(built: Any) -> None:
    p = built
    unknown = fictional_national_id()

    def add(documents: dict[str, Any]) -> None:
        documents["多元表現"]["多元表現"].append({"身分證號": unknown, "出生日期": "0950101", "作品成果": []})
        documents["修課紀錄"]["修課紀錄"][0]["出生日期"] = "0010101"

    response = post_receipt(p, generator.receipt_zip(p.submission, PASSWORD, edit=add))
    assert response.status_code == 302
    receipt = ReceiptImport.objects.get()
    reasons = sorted((u["category"], u["reason"]) for u in receipt.unmatched)
    assert reasons == [("修課紀錄", "the birth date does not match"), ("多元表現", "no student with this national ID")]
    assert unknown not in json.dumps(receipt.unmatched)  # masked
    page = client_in("en", p.registry).get(reverse("receipts:detail", args=[receipt.pk])).content.decode()
    assert "no student with this national ID" in page
