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
) -> ReceiptImport:
    """Check and store a receipt ZIP, and open the confirmation window. All or nothing."""
    from licheng.submissions.selectors import latest_built

    effective = authorise(actor, school, MANAGE)
    if actor.user is None:
        raise ServiceError(_("Only a signed-in person can import a receipt."))
    if term.school_id != school.pk:
        raise ServiceError(_("Choose a term from the list."), field="term")
    scheduled = scheduled_window(school, term)
    if scheduled != (None, None):
        opens_on, closes_on = scheduled
    if opens_on is None or closes_on is None:
        raise ServiceError(
            _("The schedule has no receipt-confirmation window for this term; enter its first and last day."),
            field="opens_on",
        )
    days = window_days(school, term)
    if (closes_on - opens_on).days + 1 < days:
        raise ServiceError(
            _("The confirmation window must be at least %(days)d days long.") % {"days": days}, field="closes_on"
        )
    sha256 = hashlib.sha256(content).hexdigest()
    if ReceiptImport.objects.filter(school=school, sha256=sha256).exists():
        raise ServiceError(_("This receipt file was imported already."), field="upload")
    parsed = parse_receipt(content, password)
    info = parsed.info
    if info.get("學校代碼") and info["學校代碼"] != school.code:
        raise ServiceError(
            _("This receipt is for school %(code)s, not for this school.") % {"code": info["學校代碼"]}, field="upload"
        )
    if info.get("學年度") != str(term.academic_year.year) or info.get("學期") not in ("0", str(term.number)):
        raise ServiceError(
            _("This receipt is for %(year)s學年度 term %(term)s, not for %(chosen)s.")
            % {"year": info.get("學年度", "?"), "term": info.get("學期", "?"), "chosen": term.label},
            field="term",
        )
    # Match students by national ID (keyed digest) and birth date.
    digests = {crypto.digest(entry.national_id) for entry in parsed.entries}
    ours = {s.national_id_digest: s for s in Student.objects.filter(school=school, national_id_digest__in=digests)}
    from django_scopes import scopes_disabled

    with scopes_disabled():
        elsewhere = set(
            Student.objects.filter(national_id_digest__in=digests - set(ours))
            .exclude(school=school)
            .values_list("national_id_digest", flat=True)
        )
    if elsewhere:
        masked = sorted(crypto.mask(e.national_id) for e in parsed.entries if crypto.digest(e.national_id) in elsewhere)
        raise ServiceError(
            _("The receipt lists %(count)d students of another school (%(ids)s); it was not imported.")
            % {"count": len(masked), "ids": ", ".join(masked[:10])},
            field="upload",
        )
    records: list[tuple[Student, Any]] = []
    unmatched: list[dict[str, str]] = []
    for entry in parsed.entries:
        student = ours.get(crypto.digest(entry.national_id))
        reason = ""
        if student is None:
            reason = _("no student with this national ID")
        elif entry.birth_date != student.birth_date:
            reason = _("the birth date does not match")
        if reason:
            unmatched.append(
                {
                    "category": entry.category,
                    "national_id": crypto.mask(entry.national_id),
                    "birth_date": entry.birth_text,
                    "reason": reason,
                }
            )
            continue
        assert student is not None
        records.append((student, entry))
    with transaction.atomic():
        receipt = ReceiptImport.objects.create(
            school=school,
            term=term,
            submission=latest_built(school, term),
            file_name=file_name[:200],
            sha256=sha256,
            categories=parsed.categories,
            imported_by=actor.user,
            opens_on=opens_on,
            closes_on=closes_on,
            unmatched=unmatched,
        )
        ReceiptRecord.objects.bulk_create(
            (
                ReceiptRecord(
                    school=school, receipt=receipt, student=student, category=entry.category, sheets=entry.sheets
                )
                for student, entry in records
            ),
            batch_size=1000,
        )
        students = {student.pk: student for student, _entry in records}
        StudentReceipt.objects.bulk_create(
            (StudentReceipt(school=school, receipt=receipt, student_id=pk) for pk in students), batch_size=1000
        )
        receipt.matched_count = len(students)
        receipt.save(update_fields=["matched_count"])
        record(
            actor=effective,
            school=school,
            action="receipt.import",
            obj=receipt,
            changes={
                "term": str(term),
                "sha256": sha256,
                "categories": parsed.categories,
                "students": len(students),
                "unmatched": len(unmatched),
                "opens_on": opens_on,
                "closes_on": closes_on,
            },
        )
        leavers = [s.pk for s in students.values() if s.status in LEFT_STATUSES]
        receipt_pk = receipt.pk
        if leavers:
            transaction.on_commit(lambda: email_leavers(receipt_pk, leavers))
    return receipt


def email_leavers(receipt_pk: int, student_pks: list[int]) -> None:
    """Students who have left cannot see the notice board: they are e-mailed (seed 000 §8(三)3)."""
    from django_scopes import scopes_disabled

    from licheng.notifications.email import deliver
    from licheng.schools import rocdate

    with scopes_disabled():
        receipt = ReceiptImport.objects.select_related("school", "term__academic_year").get(pk=receipt_pk)
        students = list(Student.objects.filter(pk__in=student_pks).select_related("user"))
    for student in students:
        deliver(
            user=student.user,
            subject=_("Check what the central database received"),
            body=_(
                "The central database has returned its receipt for %(term)s. Sign in to check what it received "
                "and confirm it, or report what is wrong, from %(opens)s to %(closes)s. "
                "If you do nothing, you are taken to have no objection."
            )
            % {
                "term": receipt.term.label,
                "opens": rocdate.format_roc(receipt.opens_on),
                "closes": rocdate.format_roc(receipt.closes_on),
            },
            dedupe_key=f"receipt:{receipt.school_id}:{receipt.pk}:{student.user_id}",
            category="receipt",
        )


def _own(actor: Actor, answer: StudentReceipt) -> StudentReceipt:
    if actor.user is None or answer.student.user_id != actor.user.pk:
        raise PermissionDenied("only the student answers their receipt")
    # No ensure_not_sealed here: students who have left answer their last receipt too (they are
    # e-mailed for it, seed 000 §8); the answer is about what was sent, not a change to the portfolio.
    locked = StudentReceipt.objects.select_for_update().select_related("receipt", "student").get(pk=answer.pk)
    if not locked.receipt.is_open:
        raise ServiceError(
            _("The confirmation window closed on %(date)s; answers are no longer taken.")
            % {"date": _roc(locked.receipt.closes_on)}
            if timezone.localdate() > locked.receipt.closes_on or locked.receipt.closed_at
            else _("The confirmation window opens on %(date)s.") % {"date": _roc(locked.receipt.opens_on)}
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
        if receipt.closed_at is not None or timezone.localdate() <= receipt.closes_on:
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
