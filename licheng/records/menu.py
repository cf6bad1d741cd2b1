"""Menu labels for the records pages (kept here so that they live in this app's catalogue), and
the entries of the pages added later (``MENU``) for the site menu to include."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, perm

LABELS = {
    "grades": _("Grades"),
    "my_transcript": _("My transcript"),
    "course_codes": _("Course codes"),
    "cadre_roles": _("Cadre roles"),
    "attendance": _("Attendance"),
    "rewards_penalties": _("Rewards and penalties"),
    "career_exploration": _("Career exploration"),
    "my_records": _("My cadre roles and attendance"),
    "office_records": _("Office-entered learning records"),
    "elective_names": _("Elective course names"),
    "precheck_roster": _("Pre-check roster"),
}

MENU: list[NavEntry] = [
    NavEntry(LABELS["office_records"], "records:office_records", perm("performances.record")),
    NavEntry(LABELS["elective_names"], "records:elective_names", perm("records.manage_course_codes")),
    NavEntry(LABELS["precheck_roster"], "records:precheck_roster", perm("records.view_grades")),
]
