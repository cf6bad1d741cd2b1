"""Menu entries and home-page sections for receipt import (收訖明細), student confirmation and disputes
(used by ``licheng.core``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, perm, role

if TYPE_CHECKING:
    from licheng.core.home import HomeContext, Section

MENU: list[NavEntry] = [
    NavEntry(_("Receipts and confirmations"), "receipts:index", perm("receipts.view")),
    NavEntry(_("Check my receipt"), "receipts:mine", role("student")),
]

# (roles, builder) pairs appended to the home page's sections, in this order.
HOME_SECTIONS: list[tuple[tuple[str, ...], Callable[[HomeContext], Section]]] = []
