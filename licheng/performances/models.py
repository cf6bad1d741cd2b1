"""Performances (多元表現), their selection (勾選), and the student's writings (自我回饋, 自傳, 學習計畫)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.people.models import Student, User
from licheng.performances.kinds import CodeTable, Kind
from licheng.schools.models import AcademicYear, School, Term


class PerformanceCode(models.Model):
    """One code of an editable code table (cadre levels, certificate kinds, …) for one school."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    table = models.CharField(_("code table"), max_length=30, choices=CodeTable.choices)
    code = models.CharField(_("code"), max_length=10)
    label = models.CharField(_("label"), max_length=60)
    active = models.BooleanField(_("in use"), default=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["table", "code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "table", "code"], name="performance_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.code} {self.label}"


class Source(models.TextChoices):
    STUDENT = "student", _("Uploaded by the student")
    OFFICE = "office", _("Staff-verified")


class Performance(models.Model):
    """One performance of one student in one academic year. ``fields`` holds the kind's own fields
    (``kinds.KINDS``), already checked. Withdrawn performances stay for the record."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="performances")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    kind = models.PositiveSmallIntegerField(_("kind"), choices=Kind.choices)
    description = models.CharField(_("description"), max_length=500)
    external_link = models.URLField(_("external link"), max_length=500, blank=True)
    fields = models.JSONField(default=dict)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.STUDENT)
    office = models.CharField(_("office"), max_length=30, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-academic_year__year", "kind", "created_at", "pk"]
        indexes = [models.Index(fields=["student", "academic_year"], name="performance_student_year")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.description[:20]}"

    @property
    def is_staff_verified(self) -> bool:
        return self.source == Source.OFFICE


class PerformanceFile(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="performance_files")
    stored_file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["performance", "stored_file"], name="performance_file_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.performance_id} #{self.position}"


class PerformanceSelection(models.Model):
    """勾選: the student picks this performance for the central database for its academic year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="performance_selections")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    performance = models.OneToOneField(Performance, on_delete=models.CASCADE, related_name="selection")
    selected_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="school")

    def __str__(self) -> str:
        return f"{self.student_id} → {self.performance_id}"


class WritingKind(models.TextChoices):
    REFLECTION = "reflection", _("Reflection")
    AUTOBIOGRAPHY = "autobiography", _("Autobiography")
    STUDY_PLAN = "study_plan", _("Study plan")


class Writing(models.Model):
    """A student's reflection, autobiography or study plan for one term. ``sections`` maps each of
    the kind's section keys (``writings.SECTIONS``) to sanitised HTML."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="writings")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=WritingKind.choices)
    sections = models.JSONField(default=dict)
    attachment = models.ForeignKey(
        "files.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-term__starts_on", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["student", "term", "kind"], name="writing_unique_per_term"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.kind} {self.term_id}"


class ReviewerRole(models.TextChoices):
    GUIDANCE = "guidance", _("Guidance office")
    HOMEROOM = "homeroom", _("Homeroom teacher")


class WritingReview(models.Model):
    """The guidance office's or homeroom teacher's comment on a writing, and whether they checked it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    writing = models.ForeignKey(Writing, on_delete=models.CASCADE, related_name="reviews")
    role = models.CharField(_("role"), max_length=10, choices=ReviewerRole.choices)
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["role"]
        constraints = [models.UniqueConstraint(fields=["writing", "role"], name="writing_review_unique_per_role")]

    def __str__(self) -> str:
        return f"{self.writing_id} {self.role}"
