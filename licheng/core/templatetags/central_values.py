"""``{% load central_values %}{{ value|central_word:header }}``: a central-database field value in
words for people (``1``/``0`` of a 及格 or 是否 column, ``-1`` for no make-up exam, 7-digit dates and
4-digit terms as ROC dates and terms read elsewhere), else as is."""

from __future__ import annotations

from django import template
from django.utils.translation import pgettext

CONTEXT = "central database value"

register = template.Library()


@register.filter
def central_word(value: object, header: object) -> object:
    text, name = str(value).strip(), str(header or "")
    if "及格" in name and text in ("1", "0"):
        return pgettext(CONTEXT, "passed") if text == "1" else pgettext(CONTEXT, "not passed")
    if name.startswith("是否") and text in ("1", "0"):
        return pgettext(CONTEXT, "yes") if text == "1" else pgettext(CONTEXT, "no")
    if name.endswith("補考成績") and text == "-1":
        return pgettext(CONTEXT, "no make-up exam")
    if "日期" in name and len(text) == 7 and text.isdigit():
        return f"{text[:3]}.{text[3:5]}.{text[5:]}"  # 1140811 → 114.08.11, as dates read elsewhere
    if name.endswith("學年度學期") and len(text) == 4 and text.isdigit():
        return f"{text[:3]}-{text[3]}"  # 1141 → 114-1
    return value


@register.filter
def item_at(values: object, index: int) -> object:
    """``values[index]``, or "" past the end."""
    try:
        return values[index]  # type: ignore[index]
    except (IndexError, KeyError, TypeError):
        return ""
