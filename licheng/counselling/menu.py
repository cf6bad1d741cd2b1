"""Menu labels for the counselling pages (kept here so that they live in this app's catalogue)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, any_of, perm, role
from licheng.people.roles import Role

LABELS = {
    "sessions": _("Counselling records"),
    "mine": _("My counselling records"),
}

MENU: list[NavEntry] = [
    NavEntry(
        LABELS["sessions"],
        "counselling:list",
        any_of(perm("counselling.view_all", "counselling.manage"), role(Role.COURSE_COUNSELLOR, Role.HOMEROOM_TEACHER)),
    ),
    NavEntry(LABELS["mine"], "counselling:mine", role(Role.STUDENT)),
]
