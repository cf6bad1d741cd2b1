"""Reads of receipts: a student's own answer, and what arrived beside what the school sent."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from decimal import Decimal
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


def current_answers(user: User, school: School) -> tuple[list[StudentReceipt], list[StudentReceipt]]:
    """The student's newest answer of each category (in the categories' order), and the earlier ones."""
    answers = list(own_answers(user, school).order_by("-receipt__imported_at", "-receipt__pk"))
    newest: dict[str, StudentReceipt] = {}
    earlier = []
    for answer in answers:
        if answer.receipt.category in newest:
            earlier.append(answer)
        else:
            newest[answer.receipt.category] = answer
    order = {category: i for i, category in enumerate(R.RECEIPT_CATEGORIES)}
    return sorted(newest.values(), key=lambda a: order.get(a.receipt.category, 99)), earlier


def same_file(receipt: ReceiptImport) -> QuerySet[ReceiptImport]:
    """The other categories imported from the same receipt ZIP."""
    return ReceiptImport.objects.filter(school=receipt.school_id, sha256=receipt.sha256).exclude(pk=receipt.pk)


def roster_info(receipt: ReceiptImport) -> list[dict[str, Any]]:
    """The receipt's 名冊資訊 entries, each with the roster of ours that has that SHA-256 (if any)."""
    from licheng.submissions.models import SubmittedRoster

    entries = [e for e in receipt.roster_info if isinstance(e, dict)]
    hashes = {str(e.get("SHA", "")).lower() for e in entries}
    ours = {
        r.stored_file.sha256: r
        for r in SubmittedRoster.objects.filter(school=receipt.school_id, stored_file__sha256__in=hashes)
        .select_related("stored_file", "submission")
        .order_by("-submission__number")
    }
    return [
        {"name": e.get("名稱", ""), "sha256": e.get("SHA", ""), "ours": ours.get(str(e.get("SHA", "")).lower())}
        for e in entries
    ]


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


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _value(value: Any) -> str:
    """A cell as compared: trimmed, and numbers by value (``80``, ``80.0`` and ``80.00`` are one)."""
    text = "" if value is None else str(value).strip()
    return format(Decimal(text).normalize(), "f") if _NUMBER.match(text) else text


def _fields(category: str, name: str, rows: list[dict[str, str]]) -> list[str]:
    """The fields compared on a sheet: those the receipt sends back, by the names the roster writes;
    a sheet we do not know is compared on every field either side has."""
    definition = R.receipt_sheet(category, name)
    if definition is not None:
        return list(definition.fields)
    return list(dict.fromkeys(h for row in rows for h in row))


def _named(category: str, sheets: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    """Sheets and fields under the roster's names, whichever accepted name they came under."""
    out: dict[str, list[dict[str, str]]] = {}
    for name, rows in sheets.items():
        definition = R.receipt_sheet(category, name)
        aliases = definition.aliases if definition else {}
        out.setdefault(definition.name if definition else name, []).extend(
            {aliases.get(h, h): v for h, v in row.items()} for row in rows
        )
    return out


def compare_sheets(
    category: str, received: dict[str, list[dict[str, str]]], sent: dict[str, list[dict[str, str]]]
) -> list[SheetComparison]:
    received, sent = _named(category, received), _named(category, sent)
    out = []
    for name in list(dict.fromkeys([*sent, *received])):
        got, gave = received.get(name, []), sent.get(name, [])
        headers = _fields(category, name, [*gave, *got])

        def key(row: dict[str, str], headers: list[str] = headers) -> tuple[str, ...]:
            return tuple(_value(row.get(h)) for h in headers)

        remaining = Counter(key(row) for row in got)
        rows = []
        for row in gave:
            k = key(row)
            state = "same" if remaining[k] > 0 else "missing"
            if state == "same":
                remaining[k] -= 1
            rows.append(Row([row.get(h, "") for h in headers], state))
        for row in got:
            k = key(row)
            if remaining[k] > 0:
                remaining[k] -= 1
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
        CategoryComparison(category, compare_sheets(category, received.get(category, {}), sent.get(category, {})))
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
