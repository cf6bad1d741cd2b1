"""Menu entries and home-page sections for announcements (訊息公告) and help requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, in_school, perm
from licheng.people.roles import Role

if TYPE_CHECKING:
    from licheng.core.home import HomeContext, Section

# Announcements shown on the home page before "All announcements".
HOME_LIMIT = 5

MENU: list[NavEntry] = [
    NavEntry(_("Announcements"), "announcements:list", in_school),
    NavEntry(_("Mid-term parent notice"), "announcements:parent_notice", perm("announcements.parent_notice")),
    NavEntry(_("Help requests"), "announcements:help_list", in_school),
]


def announcements_home_section(ctx: HomeContext) -> Section:
    """Current announcements addressed to the user. Two queries (the user's classes, the list)."""
    from licheng.announcements.selectors import current_for
    from licheng.core.home import Section

    rows = list(current_for(ctx.user, ctx.school, ctx.today)[: HOME_LIMIT + 1])
    return Section(
        "announcements",
        _("Announcements"),
        {"announcements": rows[:HOME_LIMIT], "more": len(rows) > HOME_LIMIT},
    )


def help_home_section(ctx: HomeContext) -> Section:
    """Open help requests, for those who answer them. One query."""
    from licheng.announcements.models import HelpRequest, HelpStatus
    from licheng.core.home import Section

    open_count = 0
    if "announcements.answer_help" in ctx.permissions:
        open_count = HelpRequest.objects.filter(school=ctx.school, status=HelpStatus.OPEN).count()
    return Section("help_requests", _("Help requests"), {"open": open_count})


# (roles, builder) pairs appended to the home page's sections, in this order.
HOME_SECTIONS: list[tuple[tuple[str, ...], Callable[[HomeContext], Section]]] = [
    (tuple(Role.values), announcements_home_section),
    ((Role.LIBRARY_IT, Role.REGISTRY), help_home_section),
]
