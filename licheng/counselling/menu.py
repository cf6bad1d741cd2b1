"""Menu labels for the counselling pages (kept here so that they live in this app's catalogue)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LABELS = {
    "sessions": _("Counselling records"),
    "mine": _("My counselling records"),
}
