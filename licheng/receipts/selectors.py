"""Reads of receipts: a student's own answer, and what arrived beside what the school sent."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet

from licheng.people.models import Student, User
from licheng.receipts.models import ConfirmationStatus, ReceiptImport, ReceiptRecord, StudentReceipt
from licheng.schools.models import School
from licheng.submissions import rosters as R


def receipts_of(school: School) -> QuerySet[ReceiptImport]:
    return ReceiptImport.objects.filter(school=school).select_related("term__academic_year", "imported_by")


def student_of(user: User, school: School) -> Student | None:
    return Student.objects.filter(school=school, user=user).select_related("school_class").first()


def own_answers(user: User, school: School) -> QuerySet[StudentReceipt]:
    return StudentReceipt.objects.filter(school=school, student__user=user).select_related(
        "receipt__term__academic_year", "student__school_class"
    )


@dataclasses.dataclass
class Row:
    cells: list[str]
    state: str  # "same" | "missing" (sent, not received) | "extra" (received, not sent)


@dataclasses.dataclass
class SheetComparison:
    name: str
    headers: list[str]
    rows: list[Row]

    @property
    def differs(self) -> bool:
        return any(row.state != "same" for row in self.rows)


@dataclasses.dataclass
class CategoryComparison:
    category: str
    sheets: list[SheetComparison]

    @property
    def differs(self) -> bool:
        return any(sheet.differs for sheet in self.sheets)


def _frozen(row: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, str(v)) for k, v in row.items()))


def compare_sheets(
    received: dict[str, list[dict[str, str]]], sent: dict[str, list[dict[str, str]]]
) -> list[SheetComparison]:
    out = []
    for name in list(dict.fromkeys([*sent, *received])):
        got, gave = received.get(name, []), sent.get(name, [])
        headers = list(dict.fromkeys(h for row in [*gave, *got] for h in row))
        remaining = Counter(_frozen(row) for row in got)
        rows = []
        for row in gave:
            key = _frozen(row)
            if remaining[key] > 0:
                remaining[key] -= 1
                rows.append(Row([row.get(h, "") for h in headers], "same"))
            else:
                rows.append(Row([row.get(h, "") for h in headers], "missing"))
        for row in got:
            key = _frozen(row)
            if remaining[key] > 0:
                remaining[key] -= 1
                rows.append(Row([row.get(h, "") for h in headers], "extra"))
        out.append(SheetComparison(name, headers, rows))
    return out


def comparison(answer: StudentReceipt) -> list[CategoryComparison]:
    """Per category of the receipt: what arrived beside what the snapshot sent. Two queries."""
    from licheng.submissions.models import SubmittedRecord

    receipt = answer.receipt
    received: dict[str, dict[str, list[dict[str, str]]]] = {
        r.category: r.sheets for r in ReceiptRecord.objects.filter(receipt=receipt, student=answer.student_id)
    }
    sent: dict[str, dict[str, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    if receipt.submission_id:
        for record in SubmittedRecord.objects.filter(
            submission_id=receipt.submission_id, student=answer.student_id, category__in=receipt.categories
        ).order_by("roster_code"):
            for sheet, rows in record.sheets.items():
                sent[record.category][sheet].extend(rows)
    return [
        CategoryComparison(category, compare_sheets(received.get(category, {}), sent.get(category, {})))
        for category in R.RECEIPT_CATEGORIES
        if category in receipt.categories
    ]


def dashboard(receipt: ReceiptImport) -> list[dict[str, Any]]:
    """Confirmed / disputed / waived / not yet answered per class. One query."""
    rows = (
        StudentReceipt.objects.filter(receipt=receipt)
        .values("student__school_class__name", "student__school_class__grade")
        .annotate(
            total=Count("pk"),
            confirmed=Count("pk", filter=Q(status=ConfirmationStatus.CONFIRMED)),
            disputed=Count("pk", filter=Q(status=ConfirmationStatus.DISPUTED)),
            waived=Count("pk", filter=Q(status=ConfirmationStatus.WAIVED)),
            pending=Count("pk", filter=Q(status=ConfirmationStatus.PENDING)),
        )
        .order_by("student__school_class__grade", "student__school_class__name")
    )
    return [
        {
            "class_name": row["student__school_class__name"] or "—",
            "total": row["total"],
            "confirmed": row["confirmed"],
            "disputed": row["disputed"],
            "waived": row["waived"],
            "pending": row["pending"],
        }
        for row in rows
    ]


def disputes(receipt: ReceiptImport) -> QuerySet[StudentReceipt]:
    return (
        StudentReceipt.objects.filter(receipt=receipt, status=ConfirmationStatus.DISPUTED)
        .select_related("student__school_class", "replied_by")
        .order_by("student__school_class__name", "student__seat")
    )
