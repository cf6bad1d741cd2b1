"""Menu labels for the records pages (kept here so that they live in this app's catalogue)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LABELS = {
    "grades": _("Grades"),
    "my_transcript": _("My transcript"),
    "course_codes": _("Course codes"),
    "cadre_roles": _("Cadre roles"),
    "attendance": _("Attendance"),
    "rewards_penalties": _("Rewards and penalties"),
    "career_exploration": _("Career exploration"),
    "my_records": _("My cadre roles and attendance"),
}
