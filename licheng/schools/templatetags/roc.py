"""Template filters that show dates and terms the way Taiwanese schools write them.

``{% load roc %}`` then ``{{ day|roc_date }}`` → ``112.02.10``, ``{{ moment|roc_datetime }}`` →
``112.02.10 14:05`` (local time), ``{{ term|term_label }}`` → ``112-1``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone

from licheng.schools import rocdate

register = template.Library()


@register.filter
def roc_date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    try:
        return rocdate.format_roc(value)
    except rocdate.RocDateError:
        return value.isoformat()


@register.filter
def roc_datetime(value: datetime.datetime | None) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime.datetime):
        return roc_date(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{roc_date(value.date())} {value:%H:%M}"


@register.filter
def term_label(value: Any) -> str:
    """A ``Term`` (or anything with ``label``), an ``(academic_year, number)`` pair, or text."""
    if value is None or value == "":
        return ""
    if hasattr(value, "label"):
        return str(value.label)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return rocdate.term_label(int(value[0]), int(value[1]))
    return str(value)
