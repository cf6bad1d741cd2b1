"""Announcements (訊息公告) to roles, grades or classes; the mid-term parent notice; help requests."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from licheng.schools.models import School


class Announcement(models.Model):
    """A notice from an office, shown on its recipients' home pages between ``publish_on`` and
    ``expires_on`` (inclusive). Recipients are named by ``AnnouncementTarget`` rows."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(pgettext_lazy("announcement", "title"), max_length=120)
    body = models.TextField(_("text"), max_length=4000)
    office = models.CharField(_("posted by office"), max_length=30, blank=True)
    author = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    publish_on = models.DateField(_("publish on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    send_email = models.BooleanField(_("also send by e-mail"), default=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-publish_on", "-pk"]
        verbose_name = _("announcement")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("publish_on")),
                name="announcement_expires_after_publish",
            )
        ]

    def __str__(self) -> str:
        return self.title


class TargetKind(models.TextChoices):
    ROLE = "role", _("Role")
    GRADE = "grade", _("Grade")
    CLASS = "class", pgettext_lazy("school class", "Class")


class AnnouncementTarget(models.Model):
    """One addressee group: everyone holding a role, the students (and parents) of a grade or a class."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=10, choices=TargetKind.choices)
    value = models.CharField(max_length=30)

    objects = ScopedManager(school="school")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "kind", "value"], name="announcement_target_once")
        ]
        indexes = [models.Index(fields=["kind", "value"], name="announcement_target_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class ParentNotice(models.Model):
    """One sending of the mid-term progress notice (期中檢核及家長通知) for a term."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey("schools.Term", on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    parents = models.PositiveIntegerField(_("parents notified"), default=0)
    note = models.CharField(_("note to parents"), max_length=500, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("mid-term parent notice")

    def __str__(self) -> str:
        return f"{self.term_id} @ {self.sent_at:%Y-%m-%d}"


class HelpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")


class HelpRequest(models.Model):
    """A problem reported by anyone signed in, with the page they were on and when."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="help_requests")
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    text = models.TextField(_("what happened"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=HelpStatus.choices, default=HelpStatus.OPEN)
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_by = models.ForeignKey("people.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("help request")
        indexes = [models.Index(fields=["school", "status"], name="help_request_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:40]}"
