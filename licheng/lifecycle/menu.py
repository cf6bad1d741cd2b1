"""Menu entries and home-page sections for student status changes (學籍異動), transfer packages, sealing and retention
(used by ``licheng.core``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, perm

if TYPE_CHECKING:
    from licheng.core.home import HomeContext, Section

MENU: list[NavEntry] = [
    NavEntry(_("Status changes"), "lifecycle:index", perm("lifecycle.manage_status")),
    NavEntry(_("Sealed portfolios and retention"), "lifecycle:retention", perm("lifecycle.view_retention")),
]

# (roles, builder) pairs appended to the home page's sections, in this order.
HOME_SECTIONS: list[tuple[tuple[str, ...], Callable[[HomeContext], Section]]] = []
