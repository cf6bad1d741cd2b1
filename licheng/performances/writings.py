"""The sections each kind of writing has, and the sanitiser for the students' rich text."""

from __future__ import annotations

import nh3
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from licheng.performances.models import WritingKind

# Seed 003 names these sections for the autobiography and study plan; seed 000 §5(七) these for
# the reflection.
_PLAN_SECTIONS: tuple[tuple[str, StrOrPromise], ...] = (
    ("career_plan", _("Career plan")),
    ("self_expectation", _("Self-expectation")),
    ("strengths", _("Strengths")),
    ("interests", _("Interests")),
)
SECTIONS: dict[str, tuple[tuple[str, StrOrPromise], ...]] = {
    WritingKind.AUTOBIOGRAPHY: _PLAN_SECTIONS,
    WritingKind.STUDY_PLAN: _PLAN_SECTIONS,
    WritingKind.REFLECTION: (
        ("self_awareness", _("Self-awareness")),
        ("career_plan", _("Career plan")),
        ("evidence", _("Evidence")),
    ),
}

# Longest text a section may hold (after sanitising), in characters.
SECTION_MAX_CHARS = 20_000

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https"}


def sanitise(html: str) -> str:
    """Keep paragraphs, line breaks, bold, italics, lists and http(s) links; drop everything else
    (scripts and styles with their content, event handlers, javascript:/data: links)."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer nofollow",
    ).strip()
