"""Submission snapshots (提交): what went to the central database, exactly.

A ``Submission`` is built once by a background job and never changed afterwards: its rosters
(``SubmittedRoster``: the XLSX stored content-addressed), every row per student and roster
(``SubmittedRecord``), every file put in the package under the name the roster refers to
(``SubmittedFile``) and the SHA-256 manifest of them all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.schools.models import School, Term


class RowsField(models.JSONField):  # type: ignore[type-arg]
    """JSON of roster rows. Declaring a placeholder keeps Django's PostgreSQL bulk insert off its
    UNNEST path, where psycopg escapes JSON text inside an array literal quote by quote (seconds
    for a school's rows); a plain multi-row INSERT sends each value as its own parameter."""

    def get_placeholder(self, value: object, compiler: object, connection: object) -> str:
        return "%s"


class SubmissionStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Built")
    FAILED = "failed", _("Failed")


ACTIVE_STATUSES = (SubmissionStatus.QUEUED, SubmissionStatus.RUNNING)


class Submission(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+", verbose_name=_("term"))
    number = models.PositiveIntegerField(_("submission number"))
    status = models.CharField(_("status"), max_length=10, choices=SubmissionStatus.choices, default="queued")
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    manifest = models.TextField(blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    file_count = models.PositiveIntegerField(default=0)
    total_bytes = models.PositiveBigIntegerField(default=0)
    # {roster code: {"added": n, "removed": n, "changed": n}} against the previous built snapshot.
    changes = models.JSONField(default=dict, blank=True)
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("submission")
        constraints = [models.UniqueConstraint(fields=["school", "number"], name="submission_number_unique")]

    def __str__(self) -> str:
        return f"#{self.number} {self.term}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class SubmittedRoster(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="rosters")
    code = models.CharField(_("roster code"), max_length=10)
    name = models.CharField(_("roster"), max_length=60)
    file_name = models.CharField(_("file name"), max_length=120)
    stored_file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    term_code = models.CharField(max_length=4)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["submission", "pk"]
        constraints = [models.UniqueConstraint(fields=["submission", "code"], name="submitted_roster_unique")]

    def __str__(self) -> str:
        return self.file_name


class SubmittedRecord(models.Model):
    """One student's rows of one roster in a snapshot: ``sheets`` maps sheet name → rows (header →
    cell text, exactly as written in the roster)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="records")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="+")
    roster_code = models.CharField(max_length=10)
    category = models.CharField(max_length=20)
    sheets = RowsField(default=dict)

    objects = ScopedManager(school="school")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "student", "roster_code"], name="submitted_record_unique")
        ]
        indexes = [models.Index(fields=["submission", "student"], name="submitted_record_student")]

    def __str__(self) -> str:
        return f"{self.submission_id}:{self.roster_code}:{self.student_id}"


class SubmittedFile(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    stored_file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["submission", "name"]
        constraints = [models.UniqueConstraint(fields=["submission", "name"], name="submitted_file_name_unique")]

    def __str__(self) -> str:
        return self.name


class ReadinessReport(models.Model):
    """The readiness report of one term as last computed (``licheng/submissions/readiness_store.py``):
    the page shows it with the time it was computed instead of recomputing it on every view."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField(_("computed at"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checks = models.JSONField(default=list)

    objects = ScopedManager(school="school")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "term"], name="readiness_report_term_unique")]

    def __str__(self) -> str:
        return f"{self.term_id}@{self.computed_at:%Y-%m-%d %H:%M}"
