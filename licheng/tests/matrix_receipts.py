"""Permission-matrix rows for receipt import (收訖明細), student confirmation and disputes.

The registry (``receipts.view``/``receipts.manage``) imports and answers; a student answers only
their own receipt (anyone else: 404)."""

from __future__ import annotations

from licheng.tests.matrix_base import OK, PAGE_REGISTRY, PAGE_REGISTRY_OBJ, POST_REGISTRY_OBJ, Case, World, who

RECEIPT = lambda w: {"pk": w.extra["receipt"].pk}  # noqa: E731
ANSWER = lambda w: {"pk": w.extra["receipt_answer"].pk}  # noqa: E731

OWN = who(404, anonymous=302, student=200)
OWN_POST = who(404, anonymous=302, student=OK)
POST_REGISTRY = who(403, anonymous=302, registry=OK, school_admin=OK, outsider=OK)

CASES: list[Case] = [
    Case("receipts:index", PAGE_REGISTRY),
    Case("receipts:import", POST_REGISTRY, method="post", data=lambda w: {"term": w.p.term.pk}),
    Case("receipts:detail", PAGE_REGISTRY_OBJ, kwargs=RECEIPT),
    # Setting a category's window: the registry (a window that leaves too few days is refused: 400).
    Case(
        "receipts:window",
        POST_REGISTRY_OBJ,
        kwargs=RECEIPT,
        method="post",
        data=lambda w: {"opens_on": "", "closes_on": ""},
    ),
    Case("receipts:answer", POST_REGISTRY_OBJ, kwargs=ANSWER, method="post", data=lambda w: {"reply": "已更正"}),
    Case("receipts:mine", OWN),
    Case("receipts:confirm", OWN_POST, kwargs=ANSWER, method="post"),
    Case(
        "receipts:dispute",
        OWN_POST,
        kwargs=ANSWER,
        method="post",
        data=lambda w: {"reason": "wrong", "text": "成績有誤"},
    ),
    Case("receipts:pdf", OWN, kwargs=ANSWER),
]


def extend(world: World) -> None:
    """A receipt of the snapshot from ``matrix_submissions`` with an open window; the student has
    confirmed (so the PDF exists)."""
    import datetime

    from django.utils import timezone

    from licheng.receipts.models import ReceiptImport, ReceiptRecord, StudentReceipt

    p = world.p
    today = timezone.localdate()
    receipt = ReceiptImport.objects.create(
        school=p.school,
        term=p.term,
        submission=world.extra.get("submission"),
        file_name="receipt.zip",
        sha256="0" * 64,
        category="修課紀錄",
        categories=["修課紀錄"],
        imported_by=p.registry,
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=5),
        matched_count=1,
    )
    ReceiptRecord.objects.create(
        school=p.school,
        receipt=receipt,
        student=p.student,
        category="修課紀錄",
        sheets={"學期成績": [{"課程代碼": "114123456A1101010000000", "學期成績": "86"}]},
    )
    world.extra["receipt"] = receipt
    world.extra["receipt_answer"] = StudentReceipt.objects.create(
        school=p.school, receipt=receipt, student=p.student, status="confirmed", answered_at=timezone.now()
    )
