"""The sections each kind of writing has, and the sanitiser for the students' rich text."""

from __future__ import annotations

import re
from html import escape as html_escape
from html.parser import HTMLParser

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


# ---------------------------------------------------------------- the students' text

# A writing is typed as plain text with a small Markdown subset and kept as sanitised HTML:
#   a blank line starts a new paragraph, a line break stays a line break,
#   **bold**, *italic* (or _italic_), lines starting "- " (or "* ") make a list, "1. " a numbered
#   list, and [words](https://…) a link. Anything else that looks like markup is shown as typed.
# HTML (what ``render`` kept, what the API sends) starts with a tag; a student's text does not.
_HTML_IN = re.compile(r"^\s*<[a-zA-Z!/]")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)、]\s+(.*)$")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# *italic* anywhere (Chinese has no spaces between words); _italic_ only between words (not snake_case)
_ITALIC = re.compile(
    r"(?<!\*)\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)|(?<![A-Za-z0-9_])_(?=\S)(.+?)(?<=\S)_(?![A-Za-z0-9_])"
)


def _inline(text: str) -> str:
    out = html_escape(text, quote=True)
    out = _LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _ITALIC.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", out)


def text_to_html(text: str) -> str:
    """The student's text as (unsanitised) HTML; HTML itself (the API, older writings) passes through."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if _HTML_IN.match(text):
        return text
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    out = []
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        if all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_BULLET.match(line).group(1))}</li>" for line in lines)  # type: ignore[union-attr]
            out.append(f"<ul>{items}</ul>")
        elif all(_NUMBERED.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_NUMBERED.match(line).group(1))}</li>" for line in lines)  # type: ignore[union-attr]
            out.append(f"<ol>{items}</ol>")
        else:
            out.append("<p>" + "<br>".join(_inline(line.strip()) for line in lines) + "</p>")
    return "".join(out)


def render(text: str) -> str:
    """What a section keeps: the student's text (or HTML) as sanitised HTML."""
    return sanitise(text_to_html(text))


class _ToText(HTMLParser):
    """Sanitised HTML back to the text the student types, for editing."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[str] = []
        self.counters: list[int] = []
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self._block()
            self.lists.append(tag)
            self.counters.append(0)
        elif tag == "li":
            self.counters[-1] += 1 if self.counters else 0
            marker = f"{self.counters[-1]}. " if self.lists and self.lists[-1] == "ol" else "- "
            self.parts.append(("\n" if self.parts and not self.parts[-1].endswith("\n") else "") + marker)
        elif tag == "p":
            self._block()
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("strong", "b"):
            self.parts.append("**")
        elif tag in ("em", "i"):
            self.parts.append("*")
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.parts.append("[" if self.href else "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
                self.counters.pop()
            self.parts.append("\n\n")
        elif tag == "p":
            self.parts.append("\n\n")
        elif tag in ("strong", "b"):
            self.parts.append("**")
        elif tag in ("em", "i"):
            self.parts.append("*")
        elif tag == "a" and self.href:
            self.parts.append(f"]({self.href})")
            self.href = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def _block(self) -> None:
        if self.parts and not "".join(self.parts).endswith("\n\n"):
            self.parts.append("\n\n")


def html_to_text(html: str) -> str:
    """A kept section as the text to edit (the inverse of ``render`` for what it produces)."""
    if not html:
        return ""
    if not _HTML_IN.match(html):
        return html
    parser = _ToText()
    parser.feed(html)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()
