"""Menu entries and home sections of parent binding (親子綁定, ``licheng.people.binding``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, role
from licheng.people.roles import Role

if TYPE_CHECKING:
    from licheng.core.home import HomeContext, Section

LABELS = {
    "codes": _("Link my parent's account"),
    "children": _("My children"),
}

MENU: list[NavEntry] = [
    NavEntry(LABELS["codes"], "people:my_parent_codes", role(Role.STUDENT)),
    NavEntry(LABELS["children"], "parent_children", role(Role.PARENT)),
]


def student_home_section(ctx: HomeContext) -> Section:
    """A link to the codes page. No query: the home page counts its queries."""
    from licheng.core.home import Section

    return Section("parent_codes", LABELS["codes"], {"url": reverse("people:my_parent_codes")})


HOME_SECTIONS = [((Role.STUDENT,), student_home_section)]
