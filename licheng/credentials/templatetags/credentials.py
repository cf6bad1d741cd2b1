"""``{% outcome_credentials outcome %}``: the credentials panel on a course outcome's page."""

from __future__ import annotations

from typing import Any

from django import template

from licheng.credentials import selectors

register = template.Library()


@register.inclusion_tag("credentials/_outcome_panel.html", takes_context=True)
def outcome_credentials(context: dict[str, Any], outcome: Any) -> dict[str, Any]:
    request = context["request"]
    rows = selectors.credentials_of_outcome(request.user, request.school, outcome.pk)
    revocable = {c.pk for c in rows if c.revoked_at is None and selectors.may_revoke(request.user, request.school, c)}
    return {"credentials": rows, "revocable": revocable, "csrf_token": context.get("csrf_token")}
