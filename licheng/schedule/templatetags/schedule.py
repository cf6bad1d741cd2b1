"""``{% load schedule %}{% window_span "upload" term user as span %}``: a window's dates as the
schedule answers them (``licheng.schedule.windows``), for pages that still print the Term's own
window fields."""

from __future__ import annotations

from typing import Any

from django import template

from licheng.schedule.windows import person_grade, terms_windows, window_dates
from licheng.schools import rocdate

register = template.Library()


def _dates(context: Any, work_item: str, term: Any, person: Any) -> tuple[Any, Any]:
    """The window's dates; the term's schedule is read once per request however many tags ask."""
    request = context.get("request") if context is not None else None
    cache: dict[int, Any] | None = None
    if request is not None:
        cache = request.__dict__.setdefault("_licheng_term_windows", {})
        if term.pk not in cache:
            cache.update(terms_windows([term]))
    grade = person_grade(person, term) if person else None
    return window_dates(None, work_item, term, grade, prefetched=cache)


@register.simple_tag(takes_context=True)
def window_span(context: Any, work_item: str, term: Any, person: Any = None) -> str:
    """``114.09.01–115.02.14`` for the person's grade (or the whole window), or "" when there is none."""
    if term is None:
        return ""
    opens, closes = _dates(context, work_item, term, person)
    if opens is None or closes is None:
        return ""
    return f"{rocdate.format_roc(opens)}–{rocdate.format_roc(closes)}"


@register.simple_tag(takes_context=True)
def window_dates_of(context: Any, work_item: str, term: Any, person: Any = None) -> tuple[Any, Any]:
    """``{% window_dates_of "upload" term user as w %}``: ``(first day, last day)`` of the window for the
    person's grade (or the whole window), ``(None, None)`` when there is none; the same answer as
    ``window_span``, for templates that format the two dates themselves."""
    if term is None:
        return None, None
    return _dates(context, work_item, term, person)
