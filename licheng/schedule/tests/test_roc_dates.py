"""Office forms take dates the ROC way (115.11.01, 115/11/01; ISO tolerated) and show them back the same way."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from licheng.portfolio.models import WindowExtension
from licheng.progress.models import ChecklistItem
from licheng.schedule.models import ScheduleEntry
from licheng.schools import rocdate
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def test_a_window_typed_as_roc_dates_is_saved_and_shown_back_as_roc(personas: Personas) -> None:
    p = personas
    client = client_in("en", p.registry)
    url = reverse("schedule:entry_create", args=[p.term.pk])
    form = client.get(url).content.decode()
    assert 'type="date"' not in form and 'placeholder="115.11.01"' in form
    client.post(
        url, {"work_item": "entry_discipline", "starts_on": "114.09.01", "ends_on": "114/9/15", "self_check_on": ""}
    )
    entry = ScheduleEntry.objects.get()
    assert (entry.starts_on, entry.ends_on) == (datetime.date(2025, 9, 1), datetime.date(2025, 9, 15))
    edit = client.get(reverse("schedule:entry_edit", args=[entry.pk])).content.decode()
    assert 'value="114.09.01"' in edit and 'value="114.09.15"' in edit
    assert "2025-09-01" not in edit


def test_a_bad_date_is_explained_and_what_was_typed_stays(personas: Personas) -> None:
    p = personas
    response = client_in("en", p.registry).post(
        reverse("schedule:entry_create", args=[p.term.pk]),
        {"work_item": "entry_discipline", "starts_on": "114.02.30", "ends_on": "114.09.15", "note": "出缺勤"},
    )
    page = response.content.decode()
    assert "114.02 has no day 30." in page
    assert 'value="114.02.30"' in page and 'value="114.09.15"' in page and "出缺勤" in page
    assert not ScheduleEntry.objects.exists()


def test_checklist_due_date_is_typed_the_roc_way(personas: Personas) -> None:
    p = personas
    client = client_in("en", p.registry)
    assert 'type="date"' not in client.get(reverse("progress:checklist")).content.decode()
    url = reverse("progress:checklist_item_create", args=[p.term.pk])
    client.post(url, {"section": "planning", "title": "補充規定上網公告", "office": "registry", "due_on": "114.10.01"})
    assert ChecklistItem.objects.get(title="補充規定上網公告").due_on == datetime.date(2025, 10, 1)


def test_portfolio_extension_takes_an_roc_date_and_keeps_input_on_error(personas: Personas) -> None:
    p = personas
    client = client_in("en", p.registry)
    url = reverse("portfolio:extensions")
    typed = {"username": p.student_user.username, "kind": "upload", "term": p.term.pk, "reason": "住院"}
    response = client.post(url, {**typed, "until": "1150230"})
    page = response.content.decode()
    assert response.status_code == 422 and "115.02 has no day 30." in page
    assert 'value="住院"' in page and 'value="1150230"' in page
    assert not WindowExtension.objects.exists()
    until = datetime.date.today() + datetime.timedelta(days=5)
    assert client.post(url, {**typed, "until": rocdate.format_roc(until, "/")}).status_code == 302
    assert WindowExtension.objects.get().until == until


def test_removals_ask_first_naming_what_goes(personas: Personas) -> None:
    """Removing a window or a self-check item asks (data-confirm) and names the item."""
    from licheng.audit.services import Actor
    from licheng.progress import services as progress_services
    from licheng.schedule import services as schedule_services

    p = personas
    schedule_services.schedule_entry_create(
        actor=Actor(user=p.registry),
        term=p.term,
        work_item="pre_check",
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2025, 9, 30),
    )
    client = client_in("en", p.registry)
    page = client.get(reverse("schedule:index"), {"term": p.term.pk}).content.decode()
    assert 'data-confirm="Remove the window “Pre-check roster to the central database” from the schedule?"' in page
    progress_services.checklist_generate_from_schedule(actor=Actor(user=p.registry), term=p.term)
    page = client.get(reverse("progress:checklist"), {"term": p.term.pk}).content.decode()
    assert "from the self-check list?" in page
