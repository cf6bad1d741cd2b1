"""``{% load navigation %}{% if url|may_open:request %}``: whether a link would open for this user
(a link to a menu page the user's menu leaves out would answer 403, so pages do not show it)."""

from __future__ import annotations

from typing import Any

from django import template

from licheng.core.navigation import may_open as _may_open

register = template.Library()


@register.filter
def may_open(url: str | None, request: Any) -> bool:
    return bool(url) and request is not None and _may_open(request, str(url))
