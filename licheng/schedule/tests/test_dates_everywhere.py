"""Every page that names a window asks the schedule (``licheng.schedule.windows``): move a window
and every page shows the new dates, none the old ones or the term's own (fallback) fields."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from licheng.audit.services import Actor
from licheng.schedule import services
from licheng.schools import rocdate
from licheng.testing.personas import Personas

DAY = datetime.timedelta(days=1)


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _span(starts_on: datetime.date, ends_on: datetime.date) -> str:
    return f"{rocdate.format_roc(starts_on)}–{rocdate.format_roc(ends_on)}"


def _pages(p: Personas) -> dict[str, tuple[object, list[str]]]:
    """Who reads which pages, by the windows those pages name."""
    return {
        "upload": (p.student_user, ["/", "/portfolio/", "/schedule/mine/"]),
        "selection": (p.student_user, ["/portfolio/", "/schedule/mine/"]),
        "certification": (p.subject_teacher, ["/", "/portfolio/queue/", "/schedule/mine/"]),
    }


def test_moving_a_window_shows_the_new_dates_on_every_page(personas: Personas) -> None:
    p = personas
    term = p.term
    # The term's own fields say one thing; as soon as the schedule has entries, only they count.
    term.upload_opens_on, term.upload_closes_on = term.starts_on, term.starts_on + 20 * DAY
    term.certification_opens_on, term.certification_closes_on = term.starts_on, term.starts_on + 21 * DAY
    term.selection_opens_on, term.selection_closes_on = term.starts_on, term.starts_on + 22 * DAY
    term.save()
    stale = {
        "upload": _span(term.upload_opens_on, term.upload_closes_on),
        "certification": _span(term.certification_opens_on, term.certification_closes_on),
        "selection": _span(term.selection_opens_on, term.selection_closes_on),
    }
    registry = Actor(user=p.registry)
    today = timezone.localdate()  # open now, so the home pages' "upcoming deadlines" list them too
    entries = {
        item: services.schedule_entry_create(
            actor=registry,
            term=term,
            work_item=item,
            starts_on=today - (10 - i) * DAY,
            ends_on=today + (30 + i) * DAY,
        )
        for i, item in enumerate(("upload", "certification", "selection"))
    }
    schedule_page = _client(p.registry).get("/schedule/").content.decode()

    for item, entry in entries.items():
        before = _span(entry.starts_on, entry.ends_on)
        assert before in schedule_page, item
        user, paths = _pages(p)[item]
        client = _client(user)
        for path in paths:
            page = client.get(path).content.decode()
            assert before in page, f"{path} does not show the scheduled {item} window {before}"
            assert stale[item] not in page, f"{path} shows the term's own {item} dates"

        moved = services.schedule_entry_update(
            actor=registry, entry=entry, starts_on=entry.starts_on + 3 * DAY, ends_on=entry.ends_on + 5 * DAY
        )
        after = _span(moved.starts_on, moved.ends_on)
        assert after in _client(p.registry).get("/schedule/").content.decode()
        for path in paths:
            page = client.get(path).content.decode()
            assert after in page, f"{path} does not show the moved {item} window {after}"
            assert before not in page, f"{path} still shows the old {item} window {before}"
        # The school calendar (the registry's view of every term) says the same.
        calendar = _client(p.registry).get("/school/calendar/").content.decode()
        assert after in calendar and stale[item] not in calendar, item
