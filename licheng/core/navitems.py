"""Menu entries and the predicates that decide who sees them.

Kept apart from ``navigation`` so that each app's ``menu.py`` can declare its own entries without
importing the site menu (which imports every app's ``menu.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.utils.functional import Promise


@dataclasses.dataclass(frozen=True)
class Who:
    """What a predicate may look at: the user's permissions and roles in this school."""

    permissions: frozenset[str]
    roles: frozenset[str]
    is_operator: bool
    has_school: bool


Predicate = Callable[[Who], bool]


def perm(*codes: str) -> Predicate:
    """Any one of these permissions."""
    return lambda who: bool(who.permissions & set(codes))


def role(*names: str) -> Predicate:
    """Any one of these roles."""
    return lambda who: bool(who.roles & set(names))


def any_of(*predicates: Predicate) -> Predicate:
    return lambda who: any(p(who) for p in predicates)


def in_school(who: Who) -> bool:
    return who.has_school


def operator(who: Who) -> bool:
    return who.is_operator


def everyone(who: Who) -> bool:
    return True


@dataclasses.dataclass(frozen=True)
class NavEntry:
    """A menu entry. ``url_name`` may list several names: the first that reverses is used."""

    label: str | Promise
    url_name: str | tuple[str, ...]
    allowed: Predicate

    @property
    def url_names(self) -> tuple[str, ...]:
        return (self.url_name,) if isinstance(self.url_name, str) else self.url_name
