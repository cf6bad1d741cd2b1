"""Models for self-check (自我檢核) checklists and progress dashboards.

A term's checklist (執行檢核表, shaped like seed 004's tables) is a list of ``ChecklistItem`` rows:
section, work item, responsible office, due date, status, note. Items tied to a work item whose
progress the data shows (``licheng.progress.metrics``) compute their progress; the others are
ticked by their office.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from licheng.people.roles import Role
from licheng.schools.models import School, Term


class Section(models.TextChoices):
    PLANNING = "planning", _("Administrative planning")
    CURRICULUM = "curriculum", _("Course plan")
    TRAINING = "training", _("Training and briefings")
    ENTRY = "entry", _("Recording and uploading")
    SUBMISSION = "submission", _("Submission by the school")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    OPEN = "open", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ChecklistItem(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+", verbose_name=_("term"))
    section = models.CharField(_("section"), max_length=20, choices=Section.choices, default=Section.OTHER)
    title = models.CharField(_("work item"), max_length=200)
    work_item = models.CharField(_("schedule work item"), max_length=40, blank=True)
    schedule_entry = models.ForeignKey(
        "schedule.ScheduleEntry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    office = models.CharField(_("responsible office"), max_length=30, choices=Role.choices)
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    note = models.CharField(pgettext_lazy("self-check", "note"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey("people.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["due_on", "position", "pk"]
        verbose_name = _("self-check item")

    def __str__(self) -> str:
        return self.title
