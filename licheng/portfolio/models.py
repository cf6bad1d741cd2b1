"""Course outcomes (課程學習成果): a student's work for one credit-bearing course of a term, in
versions; each version is certified (認證) by the course's teacher or their proxy; certified
versions are selected (勾選) for the central database once a year.

- The *current* version is the newest; the *certified* version is the newest that passed.
- A pending version is edited in place; a change after a decision makes a new pending version and
  leaves the decided one as it was.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from licheng.schools.models import AcademicYear, School, Term


class CertificationReason(models.Model):
    """The school's code table of reasons for not passing (未通過原因)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("code"), max_length=10)
    label = models.CharField(_("reason"), max_length=100)
    requires_text = models.BooleanField(_("needs an explanation"), default=False)
    active = models.BooleanField(_("in use"), default=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["code"]
        verbose_name = _("reason for not passing")
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="certification_reason_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class CourseOutcome(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="course_outcomes")
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="outcomes")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("course outcome")
        indexes = [models.Index(fields=["student", "term"], name="outcome_student_term")]

    def __str__(self) -> str:
        return f"{self.student_id}:{self.course_id}#{self.pk}"


class VersionState(models.TextChoices):
    PENDING = "pending", _("Awaiting certification")
    PASSED = "passed", _("Certified")
    NOT_PASSED = "not_passed", _("Not passed")


class CourseOutcomeVersion(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    outcome = models.ForeignKey(CourseOutcome, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    description = models.CharField(_("description"), max_length=500)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=12, choices=VersionState.choices, default=VersionState.PENDING)
    decided_by = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_on_behalf_of = models.ForeignKey(
        "people.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.ForeignKey(
        CertificationReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reason")
    )
    reason_text = models.CharField(pgettext_lazy("certification", "explanation"), max_length=200, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["outcome", "number"]
        verbose_name = _("course outcome version")
        constraints = [
            models.UniqueConstraint(fields=["outcome", "number"], name="outcome_version_number_unique"),
            models.CheckConstraint(
                condition=~models.Q(state="not_passed") | models.Q(reason__isnull=False), name="not_passed_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["state"], name="outcome_version_state")]

    def __str__(self) -> str:
        return f"{self.outcome_id} v{self.number}"


class CourseOutcomeFile(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(CourseOutcomeVersion, on_delete=models.CASCADE, related_name="outcome_files")
    stored_file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["version", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "stored_file"], name="outcome_file_once_per_version")]

    def __str__(self) -> str:
        return f"{self.version_id}:{self.stored_file_id}"


class CourseOutcomeSelection(models.Model):
    """勾選: a certified version chosen for the central database in its academic year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="outcome_selections")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    outcome = models.ForeignKey(CourseOutcome, on_delete=models.PROTECT, related_name="selections")
    version = models.ForeignKey(CourseOutcomeVersion, on_delete=models.PROTECT, related_name="selections")
    selected_at = models.DateTimeField(_("selected at"), auto_now_add=True)

    objects = ScopedManager(school="school")

    class Meta:
        verbose_name = _("course outcome selection")
        constraints = [models.UniqueConstraint(fields=["outcome"], name="outcome_selected_once")]

    def __str__(self) -> str:
        return f"{self.student_id}:{self.version_id}"


class WindowKind(models.TextChoices):
    UPLOAD = "upload", _("Course-outcome upload")
    CERTIFICATION = "certification", _("Certification")
    SELECTION = "selection", _("Selection")


class WindowExtension(models.Model):
    """An individual extension of a window for one person (a student's upload or selection, a
    teacher's certification), until a date (inclusive)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="window_extensions")
    kind = models.CharField(_("window"), max_length=20, choices=WindowKind.choices)
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+")
    until = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    granted_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="school")

    class Meta:
        verbose_name = _("window extension")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}:{self.term_id}→{self.until}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


# How long a finished export can be downloaded (days).
EXPORT_KEEP_DAYS = 7


class PortfolioExport(models.Model):
    """A personal export (個人匯出) of a student's whole portfolio: a ZIP (offline HTML index, every
    file, ``records.json``, a SHA-256 manifest) and a printable PDF summary, built by a background
    task into private storage. Expires ``EXPORT_KEEP_DAYS`` after it was requested."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="portfolio_exports")
    requested_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=200, blank=True, help_text="storage name of the ZIP")
    summary_file = models.CharField(max_length=200, blank=True, help_text="storage name of the PDF summary")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("portfolio export")
        indexes = [models.Index(fields=["student", "created_at"], name="portfolio_export_student")]

    def __str__(self) -> str:
        return f"{self.student_id} export #{self.pk} {self.status}"

    @property
    def expires_at(self) -> datetime.datetime:
        return self.created_at + datetime.timedelta(days=EXPORT_KEEP_DAYS)

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.created_at is not None and timezone.now() >= self.expires_at

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0
