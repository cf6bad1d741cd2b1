"""Receipts (收訖明細): what the central database says it received, each student's confirmation
or dispute, and the registry's answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.schools.models import School, Term
from licheng.submissions.models import RowsField


class ReceiptImport(models.Model):
    """One category (修課紀錄, 課程學習成果, 多元表現, 校內幹部經歷) of an imported receipt ZIP, and its
    confirmation window (inclusive dates), which the registry sets after the import; until then
    students see the receipt but cannot answer it. The categories of one ZIP share ``sha256``."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+", verbose_name=_("term"))
    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64)
    category = models.CharField(_("category"), max_length=20, blank=True)
    categories = models.JSONField(default=list)
    # The receipt's 名冊資訊: [{"名稱": roster file name, "SHA": its hash}, …] (FORMATS.md §2.4).
    roster_info = models.JSONField(default=list, blank=True)
    # Students matched by national ID whose birth date differs: [{"student_id", "received", "ours"}].
    birth_date_mismatches = models.JSONField(default=list, blank=True)
    # Files of the ZIP that are no receipt category (skipped).
    skipped_files = models.JSONField(default=list, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    opens_on = models.DateField(_("confirmation opens"), null=True, blank=True)
    closes_on = models.DateField(_("confirmation closes"), null=True, blank=True)
    closed_at = models.DateTimeField(_("window closed at"), null=True, blank=True)
    matched_count = models.PositiveIntegerField(default=0)
    # Entries that matched no student: [{"category", "national_id" (masked), "birth_date", "reason"}].
    unmatched = models.JSONField(default=list, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("receipt")
        constraints = [
            models.UniqueConstraint(fields=["school", "sha256", "category"], name="receipt_import_category_once")
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.file_name}"

    @property
    def has_window(self) -> bool:
        return self.opens_on is not None and self.closes_on is not None

    @property
    def is_open(self) -> bool:
        if self.opens_on is None or self.closes_on is None:
            return False
        today = timezone.localdate()
        return self.closed_at is None and self.opens_on <= today <= self.closes_on

    @property
    def not_yet_open(self) -> bool:
        return self.opens_on is not None and timezone.localdate() < self.opens_on


class ReceiptRecord(models.Model):
    """One student's rows of one category as the central database returned them."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    receipt = models.ForeignKey(ReceiptImport, on_delete=models.CASCADE, related_name="records")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=20)
    sheets = RowsField(default=dict)

    objects = ScopedManager(school="school")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["receipt", "student", "category"], name="receipt_record_unique")]

    def __str__(self) -> str:
        return f"{self.receipt_id}:{self.student_id}:{self.category}"


class ConfirmationStatus(models.TextChoices):
    PENDING = "pending", _("Not yet answered")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")
    WAIVED = "waived", _("Waived objection")


class DisputeReason(models.TextChoices):
    MISSING = "missing", _("Something the school sent is missing")
    WRONG = "wrong", _("Something arrived with wrong content")
    EXTRA = "extra", _("Something arrived that I did not select")
    OTHER = "other", _("Other")


class StudentReceipt(models.Model):
    """A student's answer to one receipt."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    receipt = models.ForeignKey(ReceiptImport, on_delete=models.CASCADE, related_name="answers")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="receipt_answers")
    status = models.CharField(
        _("status"), max_length=10, choices=ConfirmationStatus.choices, default=ConfirmationStatus.PENDING
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    dispute_reason = models.CharField(_("reason"), max_length=10, choices=DisputeReason.choices, blank=True)
    dispute_text = models.TextField(_("what is wrong"), blank=True)
    reply = models.TextField(_("registry's answer"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    resubmit = models.BooleanField(_("marked for resubmission"), default=False)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["student__school_class__name", "student__seat", "student__student_number"]
        constraints = [models.UniqueConstraint(fields=["receipt", "student"], name="student_receipt_unique")]

    def __str__(self) -> str:
        return f"{self.receipt_id}:{self.student_id} {self.status}"
