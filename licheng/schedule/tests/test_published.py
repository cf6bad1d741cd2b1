"""The published schedule (no login) and the iCalendar feeds."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from licheng.audit.services import Actor
from licheng.schedule import services
from licheng.schedule.models import CalendarToken
from licheng.schedule.tests.conftest import add
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db

SEPT = datetime.date(2025, 9, 1)


def events(body: bytes) -> dict[str, tuple[datetime.date, datetime.date]]:
    cal = Calendar.from_ical(body)
    return {str(e.get("summary")): (e.decoded("dtstart"), e.decoded("dtend")) for e in cal.walk("VEVENT")}


def test_public_page_needs_no_login_and_shows_the_windows(personas: Personas) -> None:
    p = personas
    add(p, "upload", SEPT, SEPT + datetime.timedelta(days=30), note="每學期至少一件")
    add(p, "pre_check", SEPT, SEPT + datetime.timedelta(days=15), self_check_on=SEPT + datetime.timedelta(days=15))
    page = client_in("en").get(reverse("schedule:public", args=[p.school.code]))
    assert page.status_code == 200
    text = page.content.decode()
    assert p.school.name in text and "Course-outcome upload" in text and "每學期至少一件" in text
    assert "114.09.01" in text  # ROC dates
    assert client_in("en").get(reverse("schedule:public", args=["999999"])).status_code == 404
    # The other school publishes nothing of this one.
    assert (
        "Course-outcome upload"
        not in client_in("en").get(reverse("schedule:public", args=[p.other_school.code])).content.decode()
    )


def test_school_feed_parses_with_all_day_events(personas: Personas) -> None:
    p = personas
    add(p, "upload", SEPT, SEPT + datetime.timedelta(days=30))
    add(p, "submission", datetime.date(2025, 10, 1), datetime.date(2025, 10, 10), grade=12, batch=1)
    response = client_in("en").get(reverse("schedule:public_feed", args=[p.school.code]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    found = events(response.content)
    assert len(found) == 2
    upload = next(v for k, v in found.items() if k.startswith("Course-outcome upload"))
    assert upload == (SEPT, SEPT + datetime.timedelta(days=31))  # DTEND is exclusive
    assert any("batch 1" in k and "grade 12" in k for k in found)


def test_private_feed_with_a_revocable_token(personas: Personas) -> None:
    p = personas
    add(p, "upload", SEPT, SEPT + datetime.timedelta(days=30))
    add(p, "certification", SEPT, SEPT + datetime.timedelta(days=40))
    add(p, "entry_discipline", SEPT, SEPT + datetime.timedelta(days=10))
    student = client_in("en", p.student_user)
    response = student.post(reverse("schedule:calendar_token_issue"), follow=True)
    page = response.content.decode()
    assert "/schedule/feed/" in page
    url = page.split('value="http://testserver')[1].split('"')[0]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert not CalendarToken.objects.filter(token_hash=token).exists()  # only the hash is kept
    feed = client_in("en").get(url)
    assert feed.status_code == 200
    summaries = set(events(feed.content))
    assert any(s.startswith("Course-outcome upload") for s in summaries)
    assert not any(s.startswith("Attendance") or s.startswith("Teacher certification") for s in summaries)
    # The teacher's feed has certification.
    teacher_token = services.calendar_token_issue(actor=Actor(user=p.subject_teacher))
    teacher_feed = client_in("en").get(reverse("schedule:my_feed", args=[teacher_token]))
    assert any(s.startswith("Teacher certification") for s in events(teacher_feed.content))
    # A wrong token, and a revoked one, answer 404.
    assert client_in("en").get(reverse("schedule:my_feed", args=["not-a-token"])).status_code == 404
    student.post(reverse("schedule:calendar_token_revoke"))
    assert client_in("en").get(url).status_code == 404
    # A new address replaces the old one.
    first = services.calendar_token_issue(actor=Actor(user=p.student_user))
    second = services.calendar_token_issue(actor=Actor(user=p.student_user))
    assert client_in("en").get(reverse("schedule:my_feed", args=[first])).status_code == 404
    assert client_in("en").get(reverse("schedule:my_feed", args=[second])).status_code == 200


def test_my_deadlines_page(personas: Personas) -> None:
    p = personas
    add(p, "upload", SEPT, SEPT + datetime.timedelta(days=30))
    page = client_in("en", p.student_user).get(reverse("schedule:my_deadlines")).content.decode()
    assert "Course-outcome upload" in page and "114.09.01" in page


def test_a_draft_window_stays_private_until_it_is_published(personas: Personas) -> None:
    from licheng.audit.models import AuditEntry
    from licheng.schedule.models import ScheduleEntry
    from licheng.schedule.windows import window_open

    p = personas
    registry = client_in("en", p.registry)
    form = registry.get(reverse("schedule:entry_create", args=[p.term.pk])).content.decode()
    assert "Save as draft" in form and "Save and publish" in form
    response = registry.post(
        reverse("schedule:entry_create", args=[p.term.pk]),
        {"work_item": "pre_check", "starts_on": "114.09.01", "ends_on": "114.09.30", "publish": "0"},
        follow=True,
    )
    assert "saved as a draft" in response.content.decode()
    entry = ScheduleEntry.objects.get()
    assert entry.published_at is None
    # Those who run the schedule see the draft, marked, with a publish button that gives the count.
    page = registry.get(reverse("schedule:index"), {"term": p.term.pk}).content.decode()
    assert "Draft" in page and "Publish 1 draft" in page
    # Nobody else sees it, and it opens nothing.
    public = client_in("en").get(reverse("schedule:public", args=[p.school.code])).content.decode()
    assert "Pre-check" not in public
    feed = client_in("en").get(reverse("schedule:public_feed", args=[p.school.code])).content
    assert events(feed) == {}
    teacher = client_in("en", p.subject_teacher)
    assert "Pre-check" not in teacher.get(reverse("schedule:index"), {"term": p.term.pk}).content.decode()
    assert teacher.get("/api/v1/schedule/entries", {"term_id": p.term.pk}).json() == []
    assert not window_open("pre_check", p.term, None, datetime.date(2025, 9, 10))

    registry.post(reverse("schedule:publish", args=[p.term.pk]))
    entry.refresh_from_db()
    assert entry.published_at is not None
    assert AuditEntry.objects.filter(action="schedule.publish").exists()
    assert "Pre-check" in client_in("en").get(reverse("schedule:public", args=[p.school.code])).content.decode()
    assert len(events(client_in("en").get(reverse("schedule:public_feed", args=[p.school.code])).content)) == 1
    assert window_open("pre_check", p.term, None, datetime.date(2025, 9, 10))
    # Nothing left to publish: a clear word, nothing changes.
    response = registry.post(reverse("schedule:publish", args=[p.term.pk]), follow=True)
    assert "no draft windows to publish" in response.content.decode()
