"""In-app notifications, e-mail deliveries and each person's choice of channels per category."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.schools.models import School


class Category(models.TextChoices):
    """What a notice is about; a person chooses in-app and e-mail per category."""

    REMINDER = "reminder", _("Deadline reminders")
    RESULT = "result", _("Results of my work (certification, reviews)")
    ANNOUNCEMENT = "announcement", _("Announcements")
    HELP_REQUEST = "help_request", _("Answers to my help requests")
    RECEIPT = "receipt", _("Submission receipts and confirmations")
    GENERAL = "general", _("Other notices")


class Notification(models.Model):
    """``message`` is an English message id with ``{placeholders}`` filled from ``params`` when the
    notification is shown, so each reader sees it in their own language."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(_("message"), max_length=300)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.GENERAL)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=Q(dedupe_key__isnull=False), name="notification_dedupe_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.message[:60]}"

    @property
    def text(self) -> str:
        params: dict[str, Any] = self.params or {}
        translated = gettext(self.message)
        try:
            return translated.format(**params)
        except (KeyError, IndexError, ValueError):
            return translated


class Preference(models.Model):
    """A person's channels for one category. No row: both channels on."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="notification_preferences")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)

    objects = ScopedManager(school="school")

    class Meta:
        verbose_name = _("notification preference")
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.category}: app={self.in_app} mail={self.email}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    """One e-mail to one person. ``dedupe_key`` is unique: the same notice is never sent twice."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    user = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="email_deliveries")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    dedupe_key = models.CharField(max_length=200, unique=True)
    address = models.EmailField(_("address"))
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        verbose_name = _("e-mail delivery")

    def __str__(self) -> str:
        return f"{self.dedupe_key} → {self.address} ({self.status})"


class ReminderSettings(models.Model):
    """How many days before a window closes the school's reminders go out (0 turns them off)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField(
        _("days before a window closes"), default=3, help_text=_("0 sends no reminders.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(school="school")

    class Meta:
        verbose_name = _("reminder settings")

    def __str__(self) -> str:
        return f"{self.school_id}: {self.days_before} days"
