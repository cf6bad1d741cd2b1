"""Menu entries and home-page sections for backups, restore and integrity scrubbing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, any_of, operator, perm
from licheng.people.roles import Role

if TYPE_CHECKING:
    from licheng.core.home import HomeContext, Section

MENU: list[NavEntry] = [NavEntry(_("Backups"), "backups:status", any_of(perm("backups.view"), operator))]


def admin_home_section(ctx: HomeContext) -> Section:
    """Is the platform backed up? An alarm when the last good backup is too old (one query)."""
    from licheng.backups.services import backup_status
    from licheng.core.home import Section

    return Section(
        "backups",
        _("Backups"),
        {
            "status": backup_status(),
            "url": reverse("backups:status") if "backups.view" in ctx.permissions else None,
        },
    )


# (roles, builder) pairs appended to the home page's sections, in this order.
HOME_SECTIONS: list[tuple[tuple[str, ...], Callable[[HomeContext], Section]]] = [
    ((Role.SCHOOL_ADMIN,), admin_home_section),
]
