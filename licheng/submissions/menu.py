"""Menu entries and home-page sections for readiness reports, rosters and submission snapshots (提交)
(used by ``licheng.core``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, perm

if TYPE_CHECKING:
    from licheng.core.home import HomeContext, Section

MENU: list[NavEntry] = [
    NavEntry(_("Submission to the central database"), "submissions:index", perm("submissions.view")),
]

# (roles, builder) pairs appended to the home page's sections, in this order.
HOME_SECTIONS: list[tuple[tuple[str, ...], Callable[[HomeContext], Section]]] = []
