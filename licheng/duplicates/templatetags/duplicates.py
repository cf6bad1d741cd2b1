"""``{% duplicate_hints outcome %}`` on a course outcome's page (for those who certify it) and
``{% duplicate_counts %}`` on the working group's dashboard."""

from __future__ import annotations

from typing import Any

from django import template

from licheng.duplicates import selectors
from licheng.people.selectors import may

register = template.Library()


@register.inclusion_tag("duplicates/_hints.html", takes_context=True)
def duplicate_hints(context: dict[str, Any], outcome: Any, version: Any) -> dict[str, Any]:
    request = context["request"]
    if version is None or not selectors.may_see_hints(request.user, request.school, outcome):
        return {"shown": False}
    return {"shown": True, "hints": selectors.hints_for(request.user, request.school, version), "version": version}


@register.inclusion_tag("duplicates/_counts.html", takes_context=True)
def duplicate_counts(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    if not may(request.user, request.school, "workinggroup.view"):
        return {"counts": None}
    return {"counts": selectors.school_counts(request.school)}
