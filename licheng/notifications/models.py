"""In-app notifications: a message for one user, with a link, read or unread."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.schools.models import School


class Notification(models.Model):
    """``message`` is an English message id with ``{placeholders}`` filled from ``params`` when the
    notification is shown, so each reader sees it in their own language."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(_("message"), max_length=300)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

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
