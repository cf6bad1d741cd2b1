"""The national course-plan platform's course-code TXT (FORMATS.md §3): one code per line, read line
by line with every bad line listed.

A line is either fixed width (the 23-character code, the 6-character credits per term, then the
subject name, with or without spaces between) or delimited: by TAB if the line has one, else by
comma, with the columns in the platform's order ``code, course name, credits`` (more columns may
follow) or in the older ``code, credits[, name]`` order; the two are told apart by which cell looks
like credits. The file may be Big5 or UTF-8."""

from __future__ import annotations

import dataclasses
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


def _looks_like_credits(value: str) -> bool:
    return bool(CREDITS_PER_TERM.match(value.upper()))


MAX_BYTES = 5_000_000  # the largest course-code file accepted


def parse_course_code_line(text: str) -> tuple[str, str, list[str]]:
    """(code, credits per term, [name, more columns…]) of one line."""
    stripped = text.strip().lstrip("\ufeff").strip()
    if "\t" in stripped:
        parts = [p.strip().strip('"').strip() for p in stripped.split("\t")]
    elif "," in stripped or "，" in stripped:
        parts = [p.strip().strip('"').strip() for p in stripped.replace("，", ",").split(",")]
    else:
        parts = stripped.split(None, 2)
        first = parts[0] if parts else ""
        if len(first) >= 29 and (len(parts) == 1 or len(first) == 29):
            # Code and credits with no space between (the platform's fixed-width layout).
            tail = first[29:].strip()
            return first[:23], first[23:29], ([tail] if tail else []) + [p for p in parts[1:] if p]
        return first, parts[1] if len(parts) > 1 else "", [p for p in parts[2:] if p]
    first = parts[0]
    if len(first) == 29 and _looks_like_credits(first[23:29]):
        # Code and credits glued together in the first cell.
        return first[:23], first[23:29], [p for p in parts[1:] if p]
    second = parts[1] if len(parts) > 1 else ""
    third = parts[2] if len(parts) > 2 else ""
    if len(parts) > 2 and (_looks_like_credits(third) or not _looks_like_credits(second)):
        # The platform's order: code, course name, credits, more columns…
        return first, third, [second, *(p for p in parts[3:] if p)]
    # The older order: code, credits[, name, …]
    return first, second, [p for p in parts[2:] if p]


def course_code_metadata(code: str) -> dict[str, str]:
    """The parts of a 23-character course code, positions as FORMATS.md §3 gives them."""
    return {
        "entry_year": code[0:3],  # 入學年度
        "school_code": code[3:9],  # 學校代碼
        "course_type": code[9],  # 課程類型
        "group": code[10:12],  # 群別
        "department": code[12:15],  # 科別
        "class_group": code[15],  # 班群
        "course_category": code[16],  # 課程類別
        "delivery": code[17],  # 開課方式
        "subject_attribute": code[18],  # 科目屬性
        "domain": code[19:21],  # 領域
        "fixed_subject_number": code[21:23],  # 固定科目流水號
    }


def read_course_code_txt(
    content: bytes, school_code: str | None = None
) -> tuple[list[CourseCodeLine], list[dict[str, Any]]]:
    """The good lines and the bad ones (``{"line", "text", "message"}``); blank lines are skipped.
    With ``school_code``, a code whose school part is another school's is a bad line."""
    sheets.check_size(content, MAX_BYTES)
    if content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        from licheng.core.errors import ServiceError

        raise ServiceError(_("This is not a text (TXT) file of course codes."), field="file")
    text = sheets.decode_text(content)
    good: list[CourseCodeLine] = []
    bad: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip().lstrip("\ufeff").strip():
            continue
        code, credits, extra = parse_course_code_line(raw)
        code, credits = code.upper(), credits.upper()
        problem = None
        if len(code) != 23:
            problem = _("The course code has %(count)s characters; it must have 23.") % {"count": len(code)}
        elif not COURSE_CODE.match(code):
            problem = _("The course code may hold only digits and capital letters.")
        elif school_code is not None and code[3:9] != school_code:
            problem = _("The course code %(code)s belongs to school %(part)s, not to this school (%(school)s).") % {
                "code": code,
                "part": code[3:9],
                "school": school_code,
            }
        elif not CREDITS_PER_TERM.match(credits):
            problem = _(
                "The credits per term must be 6 characters, one per term: a digit, or A–D for an alternating "
                "course (1–4 credits), such as 444440 or 2A0000, not “%(value)s”."
            ) % {"value": credits[:20]}
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
    """Flexible learning or group activity: FORMATS.md §3's "char 17 `9` with char 19 `D`" counted from 1
    as DOMAIN.md §7 does (its "characters 1–3" are the entry year, [0:3]): the course category ([16])
    is 9 and the subject attribute ([18]) is D."""
    return code[16] == "9" and code[18] == "D"
