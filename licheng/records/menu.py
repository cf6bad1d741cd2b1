"""Menu labels for the records pages (kept here so that they live in this app's catalogue), and
its menu entries (``MENU``), registered by ``apps.RecordsConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, perm, role
from licheng.people.roles import Role

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
    NavEntry(LABELS["grades"], "records:grades", perm("records.view_grades")),
    NavEntry(LABELS["my_transcript"], "records:my_transcript", role(Role.STUDENT)),
    NavEntry(LABELS["course_codes"], "records:course_codes", perm("courses.view_all")),
    NavEntry(LABELS["cadre_roles"], "records:cadre_roles", perm("records.manage_cadre_roles")),
    NavEntry(LABELS["attendance"], "records:attendance", perm("records.manage_discipline")),
    NavEntry(LABELS["rewards_penalties"], "records:rewards_penalties", perm("records.manage_discipline")),
    NavEntry(LABELS["career_exploration"], "records:career_exploration", perm("records.manage_career")),
    NavEntry(LABELS["my_records"], "records:my_records", role(Role.STUDENT)),
    NavEntry(LABELS["office_records"], "records:office_records", perm("performances.record")),
    NavEntry(LABELS["elective_names"], "records:elective_names", perm("records.manage_course_codes")),
    NavEntry(LABELS["precheck_roster"], "records:precheck_roster", perm("records.view_grades")),
]
