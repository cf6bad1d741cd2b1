"""The one registry of menu entries and home-page sections.

Each app declares its entries and sections in its own ``menu.py`` and registers them from its
``AppConfig.ready()``; the site menu (``core.navigation``) and the home page (``core.home``) read
them from here. So neither core module imports any app's menu, and no import runs in a circle
through them. ``position`` orders the blocks (lower first); inside a block the order is the
app's own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from licheng.core.navitems import NavEntry

if TYPE_CHECKING:
    from licheng.core.home import HomeContext, Section

HomeBuilder = Callable[["HomeContext"], "Section | list[Section]"]


@dataclasses.dataclass(frozen=True)
class HomeSlot:
    """A home-page section shown to anyone holding one of ``roles`` (empty: to everyone with a role)."""

    roles: tuple[str, ...]
    build: HomeBuilder


_menu: dict[tuple[str, int], list[NavEntry]] = {}
_home: dict[tuple[str, int], list[HomeSlot]] = {}


def register_menu(app: str, position: int, entries: Iterable[NavEntry]) -> None:
    """Register (or, run again, replace) ``app``'s block of menu entries at ``position``."""
    _menu[(app, position)] = list(entries)


def register_home_sections(app: str, position: int, sections: Iterable[tuple[tuple[str, ...], Any]]) -> None:
    """Register (or replace) ``app``'s home sections at ``position``: ``(roles, builder)`` pairs;
    a builder returns one ``Section`` or a list of them."""
    _home[(app, position)] = [HomeSlot(tuple(roles), build) for roles, build in sections]


def _in_order(blocks: dict[tuple[str, int], list[Any]]) -> list[Any]:
    return [item for _key, items in sorted(blocks.items(), key=lambda kv: (kv[0][1], kv[0][0])) for item in items]


def menu_entries() -> list[NavEntry]:
    return _in_order(_menu)


def home_slots() -> list[HomeSlot]:
    return _in_order(_home)
