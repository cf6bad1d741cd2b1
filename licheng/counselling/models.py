"""Counselling records (課程諮詢紀錄): sessions a course counsellor holds with one student or a group.

These records are private to the student, their homeroom teacher, the counsellors of their class and
the guidance office. They are never submitted to the central database nor put in any roster: the
submission code reads only the record types listed in ``licheng.records.submittable``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from licheng.files.models import StoredFile
from licheng.people.models import Student
from licheng.schools.models import School


class SessionKind(models.TextChoices):
    INDIVIDUAL = "individual", pgettext_lazy("counselling session", "Individual")
    GROUP = "group", pgettext_lazy("counselling session", "Group")


class CounsellingSession(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("counsellor")
    )
    kind = models.CharField(_("kind of session"), max_length=10, choices=SessionKind.choices)
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    content = models.TextField(_("content"))
    advice = models.TextField(_("advice"), blank=True)
    participants = models.ManyToManyField(
        Student, through="CounsellingParticipant", related_name="+", verbose_name=_("participants")
    )
    attachments = models.ManyToManyField(
        StoredFile, through="CounsellingAttachment", related_name="+", verbose_name=_("attachments")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-held_on", "-starts_at", "-id"]
        verbose_name = _("counselling session")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at=None)
                | models.Q(ends_at=None)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="counselling_session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}"


class CounsellingParticipant(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(CounsellingSession, on_delete=models.CASCADE, related_name="participant_rows")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="counselling_participations")

    objects = ScopedManager(school="school")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "student"], name="counselling_participant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.student_id}"


class CounsellingAttachment(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(CounsellingSession, on_delete=models.CASCADE, related_name="attachment_rows")
    stored_file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(school="school")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "stored_file"], name="counselling_attachment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.stored_file_id}"


class CounsellingImport(models.Model):
    """An uploaded spreadsheet of sessions, checked (preview) and later applied by its uploader.
    ``rows`` holds the cells (``[[line, [cell, …]], …]``), ``errors`` ``{"line", "column", "message"}``.
    The cells are cleared once applied."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=200)
    headers = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name
