"""Menu entries and home-page sections for the working group (工作小組): members, meetings, trainings, evaluations
(used by ``licheng.core``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, perm
from licheng.people.roles import Role

if TYPE_CHECKING:
    from licheng.core.home import HomeContext, Section

MENU: list[NavEntry] = [
    NavEntry(_("Working group"), "workinggroup:index", perm("workinggroup.view")),
]


def workinggroup_home_section(ctx: HomeContext) -> Section:
    """Terms short of meetings and the last meeting. Four queries."""
    from licheng.core.home import Section
    from licheng.workinggroup.models import Meeting
    from licheng.workinggroup.services import meeting_warnings

    return Section(
        "workinggroup",
        _("Working group"),
        {
            "warnings": meeting_warnings(ctx.school, ctx.today),
            "last_meeting": Meeting.objects.filter(school=ctx.school).order_by("-held_on", "-pk").first(),
        },
    )


# (roles, builder) pairs appended to the home page's sections, in this order.
HOME_SECTIONS: list[tuple[tuple[str, ...], Callable[[HomeContext], Section]]] = [
    ((Role.WORKING_GROUP,), workinggroup_home_section),
]
