"""Cells shared by the record types' spreadsheets: course codes and grade levels."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from licheng.core.spreadsheets import CellError, described

COURSE_CODE = re.compile(r"^[0-9A-Z]{23}$")
# 授課學期學分 (FORMATS.md §3): one character per term, a digit or A–D for an alternating (對開)
# course of 1–4 credits.
CREDITS_PER_TERM = re.compile(r"^[0-9A-D]{6}$")
_ALTERNATING = {"A": 1, "B": 2, "C": 3, "D": 4}


def term_credits(character: str) -> int:
    """The credits one character of a credits-per-term string stands for (``A``–``D`` = 1–4)."""
    if character.isdigit():
        return int(character)
    return _ALTERNATING.get(character.upper(), 0)


def total_credits(credits_per_term: str) -> int:
    return sum(term_credits(c) for c in credits_per_term)


def course_code(value: str) -> str:
    code = value.strip().upper()
    if not COURSE_CODE.match(code):
        raise CellError(_("“%(value)s” is not a course code: 23 digits and capital letters.") % {"value": value[:30]})
    return code


def grade_level(value: str) -> int:
    """10–12, or 1–3 as some exports write it."""
    if re.fullmatch(r"\d{1,2}(\.0+)?", value):
        number = int(float(value))
        if 1 <= number <= 3:
            return number + 9
        if 10 <= number <= 12:
            return number
    raise CellError(_("A grade level is 10, 11 or 12 (or 1 to 3), not “%(value)s”.") % {"value": value})


described(
    course_code,
    lambda: _("The 23-character course code of the course-plan platform (digits and capital letters)."),
    "114123456A1101010000000",
)
described(grade_level, lambda: _("10, 11 or 12 (1, 2 or 3 also work)."), "10")
