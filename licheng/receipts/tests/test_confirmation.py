"""The student's receipt page, confirmation (with its PDF), disputes, the registry's answers, the
dashboard, and closing the window."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pikepdf
import pypdfium2 as pdfium
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from licheng.people.models import EnrolmentStatus
from licheng.receipts import generator
from licheng.receipts.models import ReceiptImport, StudentReceipt
from licheng.receipts.tasks import close_confirmation_windows
from licheng.receipts.tests.conftest import PASSWORD, post_receipt
from licheng.testing.clients import client_in

CATEGORY = "校內幹部經歷"


def imported(p: Any, category: str = CATEGORY, **kw: Any) -> ReceiptImport:
    """Import the submission's receipt (every category); answer the receipt of ``category``."""
    response = post_receipt(p, generator.receipt_zip(p.submission, PASSWORD, **kw))
    assert response.status_code == 302
    return ReceiptImport.objects.get(category=category)


def answer_of(receipt: ReceiptImport) -> StudentReceipt:
    return StudentReceipt.objects.get(receipt=receipt)


def test_student_sees_what_arrived_beside_what_was_sent(built: Any) -> None:
    p = built
    imported(p)
    page = client_in("en", p.student_user).get(reverse("receipts:mine")).content.decode()
    for shown in ("課程學習成果", "學期成績", "學期課程學習成果", "幹部經歷紀錄", "作品成果紀錄", "國文課程專題報告"):
        assert shown in page, shown
    assert "Sent, not received" not in page and "differs from what the school sent" not in page
    assert "Received, not sent" not in page


def test_a_lost_row_is_highlighted(built: Any) -> None:
    p = built

    def lose(documents: dict[str, Any]) -> None:
        documents["多元表現"]["多元表現"][0]["作品成果紀錄"] = None

    imported(p, edit=lose)
    page = client_in("en", p.student_user).get(reverse("receipts:mine")).content.decode()
    assert "differs from what the school sent" in page
    assert page.count("Sent, not received") == 1


def test_confirm_and_print(built: Any) -> None:
    p = built
    answer = answer_of(imported(p))
    client = client_in("en", p.student_user)
    assert client.post(reverse("receipts:confirm", args=[answer.pk])).status_code == 302
    answer.refresh_from_db()
    assert answer.status == "confirmed"
    response = client.get(reverse("receipts:pdf", args=[answer.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    document = pdfium.PdfDocument(pdf)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    assert "陳小明" in text and "學藝股長" in text
    fonts = []
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        for page in opened.pages:
            for font in page.resources.get("/Font", {}).values():
                descendants = font.get("/DescendantFonts")
                target = descendants[0] if descendants else font
                descriptor = target.get("/FontDescriptor")
                embedded = descriptor is not None and any(
                    k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                )
                fonts.append((str(target.get("/BaseFont")), embedded))
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    assert any("CJK" in name for name, _embedded in fonts), fonts


def test_others_cannot_answer_or_print(built: Any) -> None:
    p = built
    answer = answer_of(imported(p))
    for user in (p.parent, p.homeroom_teacher, p.registry):
        client = client_in("en", user)
        assert client.post(reverse("receipts:confirm", args=[answer.pk])).status_code == 404
        assert client.get(reverse("receipts:pdf", args=[answer.pk])).status_code == 404
    answer.refresh_from_db()
    assert answer.status == "pending"


def test_dispute_needs_a_reason_and_text(built: Any) -> None:
    p = built
    answer = answer_of(imported(p))
    client = client_in("en", p.student_user)
    response = client.post(reverse("receipts:dispute", args=[answer.pk]), {"reason": "wrong", "text": " "}, follow=True)
    assert "Say what is wrong" in response.content.decode()
    answer.refresh_from_db()
    assert answer.status == "pending"


def test_dispute_answer_and_dashboard(built: Any) -> None:
    p = built
    receipt = imported(p)
    answer = answer_of(receipt)
    client_in("en", p.student_user).post(
        reverse("receipts:dispute", args=[answer.pk]), {"reason": "missing", "text": "少了校刊封面"}
    )
    answer.refresh_from_db()
    assert answer.status == "disputed"
    registry = client_in("en", p.registry)
    page = registry.get(reverse("receipts:detail", args=[receipt.pk])).content.decode()
    assert "少了校刊封面" in page
    response = registry.post(
        reverse("receipts:answer", args=[answer.pk]), {"reply": "已補正，將重新提交", "resubmit": "on"}
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.reply == "已補正，將重新提交" and answer.resubmit
    page = client_in("en", p.student_user).get(reverse("receipts:mine")).content.decode()
    assert "已補正，將重新提交" in page
    dashboard = registry.get(reverse("receipts:detail", args=[receipt.pk])).content.decode()
    assert "<td>101</td><td>1</td><td>0</td><td>1</td><td>0</td><td>0</td>" in dashboard.replace("\n", "")


def test_window_close_waives_the_silent_and_refuses_late_disputes(built: Any) -> None:
    p = built
    receipt = imported(p)
    answer = answer_of(receipt)
    assert close_confirmation_windows.call() == 0  # still open
    ReceiptImport.objects.filter(pk=receipt.pk).update(
        opens_on=timezone.localdate() - datetime.timedelta(days=5),
        closes_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert close_confirmation_windows.call() == 1
    assert close_confirmation_windows.call() == 0  # idempotent
    answer.refresh_from_db()
    assert answer.status == "waived"
    response = client_in("en", p.student_user).post(
        reverse("receipts:dispute", args=[answer.pk]), {"reason": "wrong", "text": "太晚了"}, follow=True
    )
    assert "answers are no longer taken" in response.content.decode()
    answer.refresh_from_db()
    assert answer.status == "waived"


def test_leavers_are_emailed(built: Any, django_capture_on_commit_callbacks: Any) -> None:
    p = built
    p.student.status = EnrolmentStatus.LEFT
    p.student.save()
    p.student_user.email = "leaver@example.tw"
    p.student_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        imported(p)
    # One e-mail per category of the receipt, each naming its window.
    assert [m.to for m in mail.outbox] == [["leaver@example.tw"]] * 4
    assert all("from" in m.body.lower() or "至" in m.body for m in mail.outbox)


def test_dashboard_queries_do_not_grow(built: Any, django_assert_max_num_queries: Any) -> None:
    from licheng.testing.factories import StudentFactory

    p = built
    receipt = imported(p)
    for _ in range(15):
        student = StudentFactory.create(school_class=p.school_class)
        StudentReceipt.objects.create(school=p.school, receipt=receipt, student=student, status="disputed")
    client = client_in("en", p.registry)
    client.get(reverse("receipts:detail", args=[receipt.pk]))
    # session, user, roles, permissions, receipt, dashboard, disputes, menu/permission reads
    with django_assert_max_num_queries(14):
        assert client.get(reverse("receipts:detail", args=[receipt.pk])).status_code == 200


def test_a_student_who_has_left_still_answers_their_last_receipt(built: Any) -> None:
    p = built
    imported(p)
    p.student.status = EnrolmentStatus.GRADUATED
    p.student.sealed_at = timezone.now()
    p.student.save()
    answer = StudentReceipt.objects.get(receipt__category=CATEGORY)
    response = client_in("en", p.student_user).post(reverse("receipts:confirm", args=[answer.pk]))
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.status == "confirmed"
