"""Server-rendered inline SVG line charts (no JavaScript): cumulative share done over days, with
the deadline marked. Every chart has a data table beside it in the page for screen readers."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from licheng.schools import rocdate

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 30, 40
# Colour-blind-safe palette (Okabe–Ito); lines are also told apart by dash pattern.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2")


def line_chart(
    *,
    title: str,
    days: Sequence[datetime.date],
    lines: Sequence[tuple[str, Sequence[int], int]],
    deadline: datetime.date | None,
    chart_id: str,
) -> SafeString:
    """``lines``: (label, cumulative counts per day, out of). Plots each as a percentage."""
    if not days:
        return mark_safe("")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = max(len(days) - 1, 1)

    def x(i: float) -> float:
        return LEFT + plot_w * i / span

    def y(share: float) -> float:
        return TOP + plot_h * (1 - share)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-title" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for pct in (0, 25, 50, 75, 100):
        yy = y(pct / 100)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#ccc" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" font-size="11" text-anchor="end" fill="#444">{pct}%</text>'
        )
    ticks = sorted({0, span // 2, span}) if span > 1 else [0]
    for i in ticks:
        anchor = "start" if i == 0 else "end" if i == span else "middle"
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" text-anchor="{anchor}" fill="#444">'
            f"{escape(rocdate.format_roc(days[i]))}</text>"
        )
    if deadline is not None and days[0] <= deadline <= days[-1]:
        xx = x((deadline - days[0]).days)
        parts.append(
            f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="#B00020" '
            f'stroke-width="2" stroke-dasharray="5 4"/>'
            f'<text x="{xx:.1f}" y="{TOP - 8}" font-size="11" text-anchor="end" fill="#B00020">'
            f"{escape(_('Deadline'))} {escape(rocdate.format_roc(deadline))}</text>"
        )
    for n, (label, values, total) in enumerate(lines):
        if not total:
            continue
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        points = " ".join(f"{x(i):.1f},{y(min(v / total, 1)):.1f}" for i, v in enumerate(values))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr} points="{points}">'
            f"<title>{escape(label)}</title></polyline>"
        )
        ly = HEIGHT - 8
        lx = LEFT + n * 150
        parts.append(
            f'<line x1="{lx}" x2="{lx + 20}" y1="{ly - 4}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
            f'<text x="{lx + 24}" y="{ly}" font-size="11" fill="#222">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
