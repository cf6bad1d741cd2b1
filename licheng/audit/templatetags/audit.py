"""``{% load audit %}`` then ``{% audit_history_link obj %}``: a link to the object's history, shown
only to people who may read the audit trail of the request's school."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from licheng.audit.selectors import change_rows as _change_rows
from licheng.core.permissions import has_permission

register = template.Library()


def history_url(obj: models.Model) -> str:
    return reverse("audit:object_history", args=[obj._meta.label_lower, str(obj.pk)])


@register.simple_tag(takes_context=True)
def audit_history_link(context: template.Context, obj: models.Model | None, label: str = "") -> str:
    request = context.get("request")
    if obj is None or obj.pk is None or request is None or not request.user.is_authenticated:
        return ""
    school = getattr(request, "school", None)
    if not has_permission(request.user, school, "audit.view"):
        return ""
    return format_html('<a class="history-link" href="{}">{}</a>', history_url(obj), label or _("History"))


@register.filter
def change_rows(changes: Any) -> list[dict[str, Any]]:
    return _change_rows(changes)
