"""Background jobs of receipts."""

from __future__ import annotations

from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_tasks import task

from licheng.audit.services import Actor


@task()
def close_confirmation_windows() -> int:
    """Close every confirmation window whose last day has passed: students who neither confirmed
    nor disputed are recorded as having waived objection. No arguments, idempotent; the periodic
    runner calls it daily. Answers how many students were recorded as waived."""
    from licheng.receipts.models import ReceiptImport
    from licheng.receipts.services import receipt_window_close

    with scopes_disabled():
        due = list(
            ReceiptImport.objects.filter(closed_at__isnull=True, closes_on__lt=timezone.localdate()).select_related(
                "school"
            )
        )
    waived = 0
    for receipt in due:
        with scope(school=receipt.school):
            waived += receipt_window_close(actor=Actor.system(), receipt=receipt)
    return waived


@task()
def announce_receipt_windows(receipt_pks: list[int]) -> None:
    """Tell the students of these receipts (one per category) when their confirmation window opens."""
    from licheng.receipts.models import ReceiptImport
    from licheng.receipts.services import notify_window

    with scopes_disabled():
        schools = {r.school for r in ReceiptImport.objects.filter(pk__in=receipt_pks).select_related("school")}
    for school in schools:
        with scope(school=school):
            notify_window(receipt_pks)
