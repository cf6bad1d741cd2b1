"""Models for work schedule (作業期程), windows, published schedule and iCalendar feeds.

A ``ScheduleEntry`` is one dated window of one piece of work (a *work item*, see
``licheng.schedule.windows.WORK_ITEMS``) in one term, for one grade or for every grade (grade empty);
grade 12 may have two batches. ``licheng.schedule.windows`` is the one place that answers whether a
window is open. An entry is a draft until it is published; only published entries count.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from licheng.people.roles import Role
from licheng.schools.models import Grade, School, Term


class Batch(models.IntegerChoices):
    FIRST = 1, _("Batch 1")
    SECOND = 2, _("Batch 2")


class ScheduleEntry(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="schedule_entries", verbose_name=_("term"))
    work_item = models.CharField(_("work item"), max_length=40)
    grade = models.PositiveSmallIntegerField(
        _("grade"), choices=Grade.choices, null=True, blank=True, help_text=_("Leave empty for every grade.")
    )
    batch = models.PositiveSmallIntegerField(_("batch"), choices=Batch.choices, null=True, blank=True)
    office = models.CharField(_("responsible office"), max_length=30, choices=Role.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    self_check_on = models.DateField(_("self-check date"), null=True, blank=True)
    note = models.CharField(pgettext_lazy("schedule", "note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Empty while the entry is a draft: a draft is the office's plan, seen only by those who run the
    # schedule; it opens no window and is not on the public page or any calendar feed.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["starts_on", "work_item", "grade", "batch", "pk"]
        verbose_name = _("schedule entry")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="schedule_entry_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(batch__isnull=True) | models.Q(grade=12), name="schedule_batch_only_grade_12"
            ),
        ]
        indexes = [models.Index(fields=["term", "work_item"], name="schedule_entry_term_item")]

    def __str__(self) -> str:
        return f"{self.term_id}:{self.work_item}:{self.grade or '*'}:{self.batch or '-'}"


class ScheduleExtension(models.Model):
    """An individual extension or re-opening of a window for one person (student or teacher), for
    work items other than upload, certification and selection (those stay in
    ``portfolio.WindowExtension``)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="schedule_extensions")
    work_item = models.CharField(_("work item"), max_length=40)
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+")
    until = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    granted_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("schedule extension")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.work_item}:{self.term_id}→{self.until}"


class CalendarToken(models.Model):
    """The secret in a person's private "my deadlines" iCalendar address; only its SHA-256 is kept."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="calendar_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        verbose_name = _("calendar feed address")

    def __str__(self) -> str:
        return f"{self.user_id}:{'revoked' if self.revoked_at else 'active'}"
