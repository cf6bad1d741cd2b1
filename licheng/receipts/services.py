"""State changes of receipts: import, a student's confirmation or dispute, the registry's answer,
and closing windows (students who did nothing waive objection)."""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.people import crypto
from licheng.people.models import EnrolmentStatus, Student
from licheng.people.services import authorise
from licheng.receipts.models import (
    ConfirmationStatus,
    DisputeReason,
    ReceiptImport,
    ReceiptRecord,
    StudentReceipt,
)
from licheng.receipts.parsing import parse_receipt
from licheng.schools import rocdate
from licheng.schools.models import School, Term
from licheng.schools.selectors import rules_for

logger = logging.getLogger(__name__)

MANAGE = "receipts.manage"
MIN_WINDOW_DAYS = 3
DISPUTE_MAX_CHARS = 1000
LEFT_STATUSES = (EnrolmentStatus.TRANSFERRED_OUT, EnrolmentStatus.LEFT, EnrolmentStatus.GRADUATED)


def scheduled_window(school: School, term: Term) -> tuple[datetime.date | None, datetime.date | None]:
    """The receipt-confirmation window from the school's schedule, or (None, None)."""
    from licheng.schedule.windows import window_dates

    return window_dates(school, "receipt_confirmation", term, None)


def window_days(school: School, term: Term) -> int:
    return max(MIN_WINDOW_DAYS, rules_for(school, term.academic_year).receipt_confirmation_days)


def check_window(
    school: School, term: Term, opens_on: datetime.date | None, closes_on: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    """A confirmation window the students can still use in full: both days given, in order, not over,
    and at least the school's minimum number of days still ahead (FORMATS.md §2.6)."""
    if opens_on is None or closes_on is None:
        raise ServiceError(_("Enter the first and the last day of the confirmation window."), field="opens_on")
    if closes_on < opens_on:
        raise ServiceError(_("The window ends before it starts."), field="closes_on")
    today = timezone.localdate()
    if closes_on < today:
        raise ServiceError(
            _("The window %(opens)s–%(closes)s is already over; choose days from today on.")
            % {"opens": _roc(opens_on), "closes": _roc(closes_on)},
            field="closes_on",
        )
    days = window_days(school, term)
    if (closes_on - max(opens_on, today)).days + 1 < days:
        raise ServiceError(
            _("Students must have at least %(days)d days to answer from today on.") % {"days": days},
            field="closes_on",
        )
    return opens_on, closes_on


def proposed_window(school: School, term: Term) -> tuple[datetime.date | None, datetime.date | None, str]:
    """The schedule's window for ``term`` if students can still use it, else (None, None, why not)."""
    scheduled = scheduled_window(school, term)
    if scheduled == (None, None):
        return None, None, ""
    try:
        opens_on, closes_on = check_window(school, term, *scheduled)
    except ServiceError as error:
        return None, None, _("The schedule's window was not used: %(why)s") % {"why": error.message}
    return opens_on, closes_on, ""


def receipt_import(
    *,
    actor: Actor,
    school: School,
    term: Term,
    content: bytes,
    file_name: str,
    password: str,
    opens_on: datetime.date | None = None,
    closes_on: datetime.date | None = None,
) -> list[ReceiptImport]:
    """Check and store a receipt ZIP: one ``ReceiptImport`` per category. All or nothing.

    Year and term come from the form (the file does not carry them reliably). A window given with the
    import applies to every category; without one, the schedule's window applies when students can
    still use it in full; otherwise the registry sets each category's window afterwards
    (``receipt_window_set``) and students cannot answer until then."""
    from licheng.submissions.selectors import latest_built

    effective = authorise(actor, school, MANAGE)
    if actor.user is None:
        raise ServiceError(_("Only a signed-in person can import a receipt."))
    if term.school_id != school.pk:
        raise ServiceError(_("Choose a term from the list."), field="term")
    note = ""
    if opens_on is not None or closes_on is not None:
        opens_on, closes_on = check_window(school, term, opens_on, closes_on)
    else:
        opens_on, closes_on, note = proposed_window(school, term)
    sha256 = hashlib.sha256(content).hexdigest()
    if ReceiptImport.objects.filter(school=school, sha256=sha256).exists():
        raise ServiceError(_("This receipt file was imported already."), field="upload")
    parsed = parse_receipt(content, password)
    # Match students by national ID (keyed digest) among this school's students only: an ID of
    # another school's student reads exactly like an unknown one.
    digests = {crypto.digest(entry.national_id) for entry in parsed.entries}
    ours = {s.national_id_digest: s for s in Student.objects.filter(school=school, national_id_digest__in=digests)}
    matched: dict[str, list[tuple[Student, Any]]] = {category: [] for category in parsed.categories}
    unmatched: list[dict[str, str]] = []
    mismatches: dict[int, dict[str, Any]] = {}
    for entry in parsed.entries:
        student = ours.get(crypto.digest(entry.national_id))
        if student is None:
            unmatched.append(
                {
                    "category": entry.category,
                    "national_id": crypto.mask(entry.national_id),
                    "birth_date": entry.birth_text,
                    "reason": _("no student with this national ID"),
                }
            )
            continue
        if entry.birth_date != student.birth_date:
            mismatches.setdefault(
                student.pk,
                {
                    "student_id": student.pk,
                    "student_number": student.student_number,
                    "name": student.name,
                    "received": entry.birth_text,
                    "ours": rocdate.format_roc_compact(student.birth_date),
                },
            )
        matched[entry.category].append((student, entry))
    submission = latest_built(school, term)
    receipts = []
    with transaction.atomic():
        for category in parsed.categories:
            rows = matched[category]
            receipt = ReceiptImport.objects.create(
                school=school,
                term=term,
                submission=submission,
                file_name=file_name[:200],
                sha256=sha256,
                category=category,
                categories=[category],
                roster_info=parsed.roster_info.get(category, []),
                skipped_files=parsed.skipped,
                imported_by=actor.user,
                opens_on=opens_on,
                closes_on=closes_on,
                unmatched=[u for u in unmatched if u["category"] == category],
                birth_date_mismatches=[mismatches[s.pk] for s, _entry in rows if s.pk in mismatches],
                matched_count=len(rows),
            )
            ReceiptRecord.objects.bulk_create(
                (
                    ReceiptRecord(school=school, receipt=receipt, student=student, category=category, sheets=e.sheets)
                    for student, e in rows
                ),
                batch_size=1000,
            )
            StudentReceipt.objects.bulk_create(
                (StudentReceipt(school=school, receipt=receipt, student=student) for student, _e in rows),
                batch_size=1000,
            )
            record(
                actor=effective,
                school=school,
                action="receipt.import",
                obj=receipt,
                changes={
                    "term": str(term),
                    "sha256": sha256,
                    "category": category,
                    "students": len(rows),
                    "unmatched": len(receipt.unmatched),
                    "birth_date_mismatches": len(receipt.birth_date_mismatches),
                    "opens_on": opens_on,
                    "closes_on": closes_on,
                    "window_note": note,
                },
            )
            receipts.append(receipt)
        if opens_on is not None:
            _announce_windows([r.pk for r in receipts])
    return receipts


def receipt_window_set(
    *, actor: Actor, receipt: ReceiptImport, opens_on: datetime.date | None, closes_on: datetime.date | None
) -> ReceiptImport:
    """Set (or move, while it is not closed) one category's confirmation window; students are told."""
    effective = authorise(actor, receipt.school, MANAGE)
    opens_on, closes_on = check_window(receipt.school, receipt.term, opens_on, closes_on)
    with transaction.atomic():
        receipt = ReceiptImport.objects.select_for_update().get(pk=receipt.pk)
        if receipt.closed_at is not None:
            raise ServiceError(_("This window is closed; it cannot be moved."))
        before = {"opens_on": receipt.opens_on, "closes_on": receipt.closes_on}
        receipt.opens_on, receipt.closes_on = opens_on, closes_on
        receipt.save(update_fields=["opens_on", "closes_on"])
        record(
            actor=effective,
            school=receipt.school,
            action="receipt.window_set",
            obj=receipt,
            changes={"before": before, "after": {"opens_on": opens_on, "closes_on": closes_on}},
        )
        _announce_windows([receipt.pk])
    return receipt


def _announce_windows(receipt_pks: list[int]) -> None:
    from licheng.receipts.tasks import announce_receipt_windows

    transaction.on_commit(lambda: announce_receipt_windows.enqueue(receipt_pks))


def notify_window(receipt_pks: list[int]) -> None:
    """Tell every student of these receipts when they can answer; students who have left are
    e-mailed as well (they cannot see the notice board, seed 000 §8(三)3)."""
    from django.utils.translation import gettext_noop

    from licheng.notifications.models import Category
    from licheng.notifications.services import notify

    receipts = ReceiptImport.objects.filter(pk__in=receipt_pks).select_related("school", "term__academic_year")
    for receipt in receipts:
        if receipt.opens_on is None or receipt.closes_on is None:
            continue
        params = {
            "category": receipt.category,
            "term": receipt.term.label,
            "opens": _roc(receipt.opens_on),
            "closes": _roc(receipt.closes_on),
        }
        for answer in StudentReceipt.objects.filter(receipt=receipt).select_related("student__user"):
            student = answer.student
            notify(
                user=student.user,
                message=gettext_noop(
                    "The central database returned its receipt of {category} for {term}: check it and confirm it, "
                    "or report what is wrong, from {opens} to {closes}. If you do nothing, you are taken to have "
                    "no objection."
                ),
                params=params,
                link="/receipts/mine/",
                category=Category.RECEIPT,
                dedupe_key=f"receipt:{receipt.pk}:{receipt.opens_on}:{receipt.closes_on}:{student.user_id}",
                email=student.status in LEFT_STATUSES,
            )


def _own(actor: Actor, answer: StudentReceipt) -> StudentReceipt:
    if actor.user is None or answer.student.user_id != actor.user.pk:
        raise PermissionDenied("only the student answers their receipt")
    # No ensure_not_sealed here: students who have left answer their last receipt too (they are
    # e-mailed for it, seed 000 §8); the answer is about what was sent, not a change to the portfolio.
    locked = StudentReceipt.objects.select_for_update().select_related("receipt", "student").get(pk=answer.pk)
    opens_on, closes_on = locked.receipt.opens_on, locked.receipt.closes_on
    if opens_on is None or closes_on is None:
        raise ServiceError(_("The registry has not yet opened the confirmation window for this receipt."))
    if not locked.receipt.is_open:
        raise ServiceError(
            _("The confirmation window closed on %(date)s; answers are no longer taken.") % {"date": _roc(closes_on)}
            if timezone.localdate() > closes_on or locked.receipt.closed_at
            else _("The confirmation window opens on %(date)s.") % {"date": _roc(opens_on)}
        )
    return locked


def _roc(day: datetime.date) -> str:
    from licheng.schools import rocdate

    return rocdate.format_roc(day)


def receipt_confirm(*, actor: Actor, answer: StudentReceipt) -> StudentReceipt:
    with transaction.atomic():
        answer = _own(actor, answer)
        if answer.status == ConfirmationStatus.DISPUTED:
            raise ServiceError(_("You reported a problem with this receipt; the registry will answer it."))
        answer.status = ConfirmationStatus.CONFIRMED
        answer.answered_at = timezone.now()
        answer.save(update_fields=["status", "answered_at"])
        record(actor=actor, school=answer.school, action="receipt.confirm", obj=answer)
    return answer


def receipt_dispute(*, actor: Actor, answer: StudentReceipt, reason: str, text: str) -> StudentReceipt:
    text = (text or "").strip()
    if reason not in DisputeReason.values:
        raise ServiceError(_("Choose what kind of problem it is."), field="reason")
    if not text:
        raise ServiceError(_("Say what is wrong, so the registry can fix it."), field="text")
    if len(text) > DISPUTE_MAX_CHARS:
        raise ServiceError(_("Keep it under %(count)d characters.") % {"count": DISPUTE_MAX_CHARS}, field="text")
    with transaction.atomic():
        answer = _own(actor, answer)
        answer.status = ConfirmationStatus.DISPUTED
        answer.dispute_reason = reason
        answer.dispute_text = text
        answer.answered_at = timezone.now()
        answer.save(update_fields=["status", "dispute_reason", "dispute_text", "answered_at"])
        record(
            actor=actor,
            school=answer.school,
            action="receipt.dispute",
            obj=answer,
            changes={"reason": reason, "text": text},
        )
    return answer


def dispute_answer(*, actor: Actor, answer: StudentReceipt, reply: str, resubmit: bool) -> StudentReceipt:
    """The registry answers a dispute and says whether the fixed data goes in the next submission."""
    effective = authorise(actor, answer.school, MANAGE)
    reply = (reply or "").strip()
    if not reply:
        raise ServiceError(_("Write the answer the student will read."), field="reply")
    with transaction.atomic():
        answer = StudentReceipt.objects.select_for_update().get(pk=answer.pk)
        if answer.status != ConfirmationStatus.DISPUTED:
            raise ServiceError(_("Only a dispute can be answered."))
        answer.reply = reply[:DISPUTE_MAX_CHARS]
        answer.resubmit = resubmit
        answer.replied_by = actor.user
        answer.replied_at = timezone.now()
        answer.save(update_fields=["reply", "resubmit", "replied_by", "replied_at"])
        record(
            actor=effective,
            school=answer.school,
            action="receipt.dispute_answer",
            obj=answer,
            changes={"reply": answer.reply, "resubmit": resubmit},
        )
    return answer


def receipt_window_close(*, actor: Actor, receipt: ReceiptImport) -> int:
    """Close a window whose last day has passed: students who did nothing waive objection.
    Idempotent; answers how many were recorded as waived now."""
    with transaction.atomic():
        receipt = ReceiptImport.objects.select_for_update().get(pk=receipt.pk)
        if receipt.closed_at is not None or receipt.closes_on is None or timezone.localdate() <= receipt.closes_on:
            return 0
        now = timezone.now()
        waived = StudentReceipt.objects.filter(receipt=receipt, status=ConfirmationStatus.PENDING).update(
            status=ConfirmationStatus.WAIVED, answered_at=now
        )
        receipt.closed_at = now
        receipt.save(update_fields=["closed_at"])
        record(
            actor=actor, school=receipt.school, action="receipt.window_close", obj=receipt, changes={"waived": waived}
        )
    return waived
