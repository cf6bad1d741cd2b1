"""Menu labels for the records pages (kept here so that they live in this app's catalogue)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LABELS = {
    "grades": _("Grades"),
    "my_transcript": _("My transcript"),
    "course_codes": _("Course codes"),
}
