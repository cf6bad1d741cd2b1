"""Models for student status changes (學籍異動), transfer packages, sealing and retention.

- ``StatusChange``: the history of a student's enrolment (轉出, 轉入, 重讀, 休學, 復學, 借讀, 離校, 畢業).
- ``TransferPackage``: the ZIP a transfer out produces (built in the background, kept in private storage).
- ``TransferIn`` / ``TransferredRecord`` / ``TransferredFile``: what a transfer package brought in at
  the new school, tagged as from before the transfer (轉學轉科) and kept apart from the school's own records.
- ``LegalHold``: stops the retention job for a named student.
- ``RetentionRun`` / ``RetentionCount``: what the retention job did, and the anonymous count it keeps.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from licheng.schools.models import School


class ChangeKind(models.TextChoices):
    TRANSFER_OUT = "transfer_out", _("Transfer out (轉出)")
    TRANSFER_IN = "transfer_in", _("Transfer in (轉入)")
    REPEAT = "repeat", _("Repeat a year (重讀)")
    SUSPEND = "suspend", _("Suspension (休學)")
    RESUME = "resume", _("Resumption (復學)")
    VISITING = "visiting", _("Visiting study (借讀)")
    VISITING_END = "visiting_end", _("Back from visiting study")
    LEAVE = "leave", _("Leaving school (離校)")
    GRADUATE = "graduate", _("Graduation (畢業)")


class StatusChange(models.Model):
    """One status change of one student, in the order they happened."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="status_changes")
    kind = models.CharField(_("kind of change"), max_length=20, choices=ChangeKind.choices)
    effective_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    status_before = models.CharField(max_length=20, blank=True)
    status_after = models.CharField(max_length=20)
    # 借讀: where and when; 重讀: which academic year is repeated; 轉出/轉入: the other school.
    other_school_code = models.CharField(_("other school code"), max_length=6, blank=True)
    other_school_name = models.CharField(_("other school name"), max_length=100, blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    repeated_year = models.PositiveSmallIntegerField(_("academic year repeated"), null=True, blank=True)
    # 借讀 (學生借讀資料): the host school's group, programme and visiting-study code.
    visiting_group_code = models.CharField(_("host group code"), max_length=4, blank=True)
    visiting_programme_code = models.CharField(_("host programme code"), max_length=6, blank=True)
    visiting_code = models.CharField(_("visiting-study code"), max_length=10, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["student", "effective_on", "pk"]
        verbose_name = _("status change")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="status_change_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.kind} {self.effective_on}"

    @property
    def status_before_label(self) -> str:
        from licheng.people.models import EnrolmentStatus

        value = self.status_before or EnrolmentStatus.ENROLLED
        return str(EnrolmentStatus(value).label) if value in EnrolmentStatus.values else value


class PackageState(models.TextChoices):
    QUEUED = "queued", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class TransferPackage(models.Model):
    """The ZIP of a student's portfolio for their new school (``transfer-<school>-<number>.zip``)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="transfer_packages")
    state = models.CharField(_("state"), max_length=10, choices=PackageState.choices, default=PackageState.QUEUED)
    file_name = models.CharField(_("file name"), max_length=120)
    storage_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    file_count = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    # The package is AES-encrypted; its password (encrypted at rest) is kept only until the registry
    # has been shown it once.
    password_cipher = models.TextField(blank=True, editable=False)
    password_shown_at = models.DateTimeField(_("password shown at"), null=True, blank=True)
    password_shown_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The first download: from then on the data have left the school and the transfer cannot be undone.
    downloaded_at = models.DateTimeField(_("first downloaded at"), null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("transfer package")

    def __str__(self) -> str:
        return self.file_name


class TransferIn(models.Model):
    """A transfer package imported at this school: where the student came from, and the package's hash."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="transfers_in")
    origin_school_code = models.CharField(_("previous school code"), max_length=6)
    origin_school_name = models.CharField(_("previous school"), max_length=100)
    origin_student_number = models.CharField(_("previous student number"), max_length=20)
    package_sha256 = models.CharField(max_length=64)
    package_name = models.CharField(max_length=200)
    format_version = models.PositiveSmallIntegerField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("transfer in")

    def __str__(self) -> str:
        return f"{self.origin_school_code} → {self.student_id}"


class RecordKind(models.TextChoices):
    COURSE_RECORD = "course_record", _("Course record")
    COURSE_OUTCOME = "course_outcome", _("Course outcome")
    PERFORMANCE = "performance", _("Performance")
    WRITING = "writing", _("Reflection, autobiography or study plan")


class TransferredRecord(models.Model):
    """One record from before the transfer (轉學轉科), as the previous school sent it. Kept apart from
    this school's own records: it counts for no cap, window or selection here. Course records also
    become ``records.Grade`` rows of the transfer variant (``grade``)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    transfer = models.ForeignKey(TransferIn, on_delete=models.CASCADE, related_name="records")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="transferred_records")
    kind = models.CharField(_("kind"), max_length=20, choices=RecordKind.choices)
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    term = models.PositiveSmallIntegerField(_("term"), null=True, blank=True)
    title = models.CharField(pgettext_lazy("record", "title"), max_length=200)
    # For course outcomes: the certification state at the previous school (passed, not_passed, pending).
    state = models.CharField(_("state"), max_length=20, blank=True)
    data = models.JSONField(default=dict)
    grade = models.ForeignKey("records.Grade", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["kind", "academic_year", "term", "pk"]
        verbose_name = _("record from before the transfer")

    def __str__(self) -> str:
        return f"{self.kind} {self.academic_year} {self.title}"


class TransferredFile(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(TransferredRecord, on_delete=models.CASCADE, related_name="files")
    stored_file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["record", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.record_id}:{self.stored_file_id}"


class LegalHold(models.Model):
    """A legal hold: while it is in force the retention job does not delete the student's data."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=300)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_note = models.CharField(_("why it ends"), max_length=300, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-placed_at", "-pk"]
        verbose_name = _("legal hold")
        constraints = [
            models.UniqueConstraint(
                fields=["student"], condition=models.Q(released_at=None), name="one_legal_hold_in_force"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student}：{self.reason[:40]}" if self.reason else str(self.student)

    @property
    def in_force(self) -> bool:
        return self.released_at is None


class RetentionRun(models.Model):
    """One run of the retention job at one school: what it deleted and what a hold kept."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    ran_at = models.DateTimeField(auto_now_add=True)
    run_on = models.DateField(_("date"))
    students_deleted = models.PositiveIntegerField(_("students deleted"), default=0)
    files_deleted = models.PositiveIntegerField(_("files deleted"), default=0)
    held = models.PositiveIntegerField(_("kept by a legal hold"), default=0)
    problems = models.JSONField(default=list, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-ran_at", "-pk"]
        verbose_name = _("retention run")

    def __str__(self) -> str:
        return f"{self.school_id} {self.run_on}"


class RetentionReason(models.TextChoices):
    GRADUATED = "graduated", _("Graduated")
    LEFT = "left", _("Left school")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")


class RetentionCount(models.Model):
    """The anonymous count kept after deletion: how many students of one academic year (ROC, the year
    they left) and one reason had their data deleted."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    reason = models.CharField(_("reason"), max_length=20, choices=RetentionReason.choices)
    count = models.PositiveIntegerField(_("students"), default=0)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-academic_year", "reason"]
        constraints = [
            models.UniqueConstraint(fields=["school", "academic_year", "reason"], name="retention_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.academic_year} {self.reason} {self.count}"
