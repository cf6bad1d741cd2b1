"""The working group (工作小組): its members, meetings (agenda, minutes, decisions, attachments),
trainings and briefings, and evaluation and award-proposal (敘獎) records."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from licheng.schools.models import School


class GroupRole(models.TextChoices):
    CONVENER = "convener", _("Convener")
    DEPUTY = "deputy", _("Deputy convener")
    SECRETARY = "secretary", _("Executive secretary")
    MEMBER = "member", _("Member")


class Member(models.Model):
    """One seat in the group; the composition is the school's own (seed 000 lists 15, seed 004 13)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    position = models.CharField(_("position"), max_length=60, help_text=_("e.g. 教務主任, 註冊組長, 導師代表"))
    group_role = models.CharField(_("role in the group"), max_length=20, choices=GroupRole.choices)
    duties = models.CharField(_("duties"), max_length=200, blank=True)
    user = models.ForeignKey("people.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["left_on", "group_role", "name", "pk"]
        verbose_name = _("working-group member")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")), name="wg_member_left_after_joined"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.position}）"


class Meeting(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey("schools.Term", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("date"))
    title = models.CharField(pgettext_lazy("meeting", "title"), max_length=120)
    place = models.CharField(_("place"), max_length=100, blank=True)
    agenda = models.TextField(_("agenda"), max_length=5000)
    minutes = models.TextField(_("minutes"), max_length=20000, blank=True)
    decisions = models.TextField(_("decisions"), max_length=5000, blank=True)
    attendance = models.PositiveSmallIntegerField(_("members present"), null=True, blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("working-group meeting")

    def __str__(self) -> str:
        return self.title


class MeetingAttachment(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    stored_file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.stored_file_id}"


class TrainingKind(models.TextChoices):
    TRAINING = "training", _("Training (研習)")
    BRIEFING = "briefing", _("Briefing (說明會)")


class Audience(models.TextChoices):
    STUDENTS = "students", _("Students")
    TEACHERS = "teachers", _("Teachers")
    PARENTS = "parents", _("Parents")


class Training(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=TrainingKind.choices)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    held_on = models.DateField(_("date"))
    title = models.CharField(pgettext_lazy("training", "title"), max_length=120)
    attendance_count = models.PositiveIntegerField(_("attendance"))
    attendees = models.TextField(_("attendance list"), max_length=10000, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("training or briefing")

    def __str__(self) -> str:
        return self.title


class EvaluationKind(models.TextChoices):
    EVALUATION = "evaluation", _("Evaluation")
    AWARD = "award", _("Award proposal (敘獎)")


class Evaluation(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=EvaluationKind.choices)
    recorded_on = models.DateField(_("date"))
    title = models.CharField(pgettext_lazy("evaluation", "title"), max_length=120)
    persons = models.CharField(
        _("persons"), max_length=500, blank=True, help_text=_("For award proposals: who, separated by 、")
    )
    content = models.TextField(_("content"), max_length=5000)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-recorded_on", "-pk"]
        verbose_name = _("evaluation or award proposal")

    def __str__(self) -> str:
        return self.title
