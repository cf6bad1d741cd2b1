"""The national course-plan platform's course-code TXT: one code per line (23 characters and the
6-digit credits per term, optionally the subject name), read line by line with every bad line listed."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from django.utils.translation import gettext as _

from licheng.core import spreadsheets as sheets
from licheng.records.cells import COURSE_CODE, CREDITS_PER_TERM


@dataclasses.dataclass
class CourseCodeLine:
    line: int
    code: str
    credits_per_term: str
    subject_name: str
    extra: list[str]


MAX_BYTES = 5_000_000  # the largest course-code file accepted


def parse_course_code_line(text: str) -> tuple[str, str, list[str]]:
    """``CODE<sep>CREDITS[<sep>NAME…]`` with tab, comma or spaces; else fixed width (23 + 6 + rest)."""
    stripped = text.strip().lstrip("\ufeff")
    if re.search(r"[\t,，]", stripped):
        parts = [p.strip().strip('"') for p in re.split(r"[\t,，]", stripped)]
    else:
        parts = stripped.split(None, 2)
    first = parts[0]
    if len(first) >= 29 and (len(parts) == 1 or len(first) == 29):
        tail = first[29:].strip()
        return first[:23], first[23:29], ([tail] if tail else []) + [p for p in parts[1:] if p]
    return first, parts[1] if len(parts) > 1 else "", [p for p in parts[2:] if p]


def course_code_metadata(code: str) -> dict[str, str]:
    """Positions as commonly described; unverified, kept for reference only."""
    return {
        "entry_year": code[0:3],
        "school_code": code[3:9],
        "division": code[9],
        "class_type": code[10],
        "programme": code[11:14],
        "course_category": code[14],
        "course_type": code[15],
        "domain": code[16],
        "subject": code[17:19],
        "version": code[19:23],
    }


def read_course_code_txt(content: bytes) -> tuple[list[CourseCodeLine], list[dict[str, Any]]]:
    """The good lines and the bad ones (``{"line", "text", "message"}``); blank lines are skipped."""
    sheets.check_size(content, MAX_BYTES)
    if content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        from licheng.core.errors import ServiceError

        raise ServiceError(_("This is not a text (TXT) file of course codes."), field="file")
    text = sheets.decode_text(content)
    good: list[CourseCodeLine] = []
    bad: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        code, credits, extra = parse_course_code_line(raw)
        code = code.upper()
        problem = None
        if len(code) != 23:
            problem = _("The course code has %(count)s characters; it must have 23.") % {"count": len(code)}
        elif not COURSE_CODE.match(code):
            problem = _("The course code may hold only digits and capital letters.")
        elif not CREDITS_PER_TERM.match(credits):
            problem = _("The credits per term must be 6 digits, such as 444440, not “%(value)s”.") % {
                "value": credits[:20]
            }
        elif code in seen:
            problem = _("Same course code as line %(lines)s.") % {"lines": seen[code]}
        if problem:
            bad.append({"line": number, "text": raw.strip()[:80], "message": problem})
            continue
        seen[code] = number
        name = extra[0][:60] if extra else ""
        good.append(CourseCodeLine(number, code, credits, name, extra[1:]))
    return good, bad


def is_flexible_or_group(code: str) -> bool:
    return code[16] == "9" and code[18] == "D"
