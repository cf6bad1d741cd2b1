"""iCalendar (RFC 5545) feeds of the work schedule: the school's and a person's "my deadlines"."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from licheng.schools import rocdate


def calendar_bytes(name: str, events: Iterable[dict[str, Any]], uid_domain: str) -> bytes:
    """``events``: dicts with ``uid``, ``summary``, ``starts_on``, ``ends_on`` (inclusive dates) and
    an optional ``description``; each becomes an all-day event."""
    cal = Calendar()
    cal.add("prodid", "-//Licheng//Work schedule//ZH-TW")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Taipei")
    stamp = timezone.now()
    for item in events:
        event = Event()
        event.add("uid", f"{item['uid']}@{uid_domain}")
        event.add("dtstamp", stamp)
        event.add("summary", item["summary"])
        event.add("dtstart", item["starts_on"])
        event.add("dtend", item["ends_on"] + datetime.timedelta(days=1))
        if item.get("description"):
            event.add("description", item["description"])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()


def window_description(starts_on: datetime.date, ends_on: datetime.date, office: str = "", note: str = "") -> str:
    parts = [
        _("Window: %(starts)s–%(ends)s")
        % {"starts": rocdate.format_roc(starts_on), "ends": rocdate.format_roc(ends_on)}
    ]
    if office:
        parts.append(_("Responsible office: %(office)s") % {"office": office})
    if note:
        parts.append(note)
    return "\n".join(parts)
