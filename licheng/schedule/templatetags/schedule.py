"""``{% load schedule %}{% window_span "upload" term user as span %}``: a window's dates as the
schedule answers them (``licheng.schedule.windows``), for pages that still print the Term's own
window fields."""

from __future__ import annotations

from typing import Any

from django import template

from licheng.schedule.windows import person_grade, window_dates
from licheng.schools import rocdate

register = template.Library()


@register.simple_tag
def window_span(work_item: str, term: Any, person: Any = None) -> str:
    """``114.09.01–115.02.14`` for the person's grade (or the whole window), or "" when there is none."""
    if term is None:
        return ""
    opens, closes = window_dates(None, work_item, term, person_grade(person, term) if person else None)
    if opens is None or closes is None:
        return ""
    return f"{rocdate.format_roc(opens)}–{rocdate.format_roc(closes)}"
