"""The self-check list (執行檢核表): made from the schedule, computed where the data shows
progress, ticked by the responsible office, printable and exportable."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from licheng.audit.models import AuditEntry
from licheng.audit.services import Actor
from licheng.progress.models import ChecklistItem
from licheng.progress.tests.conftest import grow
from licheng.schedule import services as schedule_services
from licheng.testing.clients import client_in
from licheng.testing.factories import make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db

SEPT = datetime.date(2025, 9, 1)


def _schedule(p: Personas) -> None:
    actor = Actor(user=p.registry)
    for item, office in (("upload", None), ("entry_discipline", None), ("certification", None)):
        schedule_services.schedule_entry_create(
            actor=actor,
            term=p.term,
            work_item=item,
            starts_on=SEPT,
            ends_on=SEPT + datetime.timedelta(days=20),
            self_check_on=SEPT + datetime.timedelta(days=20),
            office=office,
        )


def test_list_is_generated_from_the_schedule_once(personas: Personas) -> None:
    p = personas
    _schedule(p)
    client = client_in("en", p.registry)
    response = client.post(reverse("progress:checklist_generate", args=[p.term.pk]), follow=True)
    assert "3 items were added from the schedule." in response.content.decode()
    response = client.post(reverse("progress:checklist_generate", args=[p.term.pk]), follow=True)
    assert "0 items were added" in response.content.decode()
    assert ChecklistItem.objects.count() == 3
    item = ChecklistItem.objects.get(work_item="entry_discipline")
    assert item.office == "discipline" and item.due_on == SEPT + datetime.timedelta(days=20)


def test_generating_without_a_schedule_is_refused(personas: Personas) -> None:
    response = client_in("en", personas.registry).post(
        reverse("progress:checklist_generate", args=[personas.term.pk]), follow=True
    )
    assert "no schedule yet" in response.content.decode()
    assert not ChecklistItem.objects.exists()


def test_computed_items_show_the_data_and_others_are_ticked_by_their_office(personas: Personas) -> None:
    p = personas
    _schedule(p)
    grow(p, 4, classes=2)
    client_in("en", p.registry).post(reverse("progress:checklist_generate", args=[p.term.pk]))
    page = client_in("en", p.registry).get(reverse("progress:checklist")).content.decode()
    assert "4/5 (80%)" in page  # uploads: 4 of 5 students
    assert "2/4 (50%)" in page  # certification: 2 of 4 outcomes
    discipline_item = ChecklistItem.objects.get(work_item="entry_discipline")
    # A subject teacher may not tick; another office may not tick the discipline section's item.
    assert (
        client_in("en", p.subject_teacher)
        .post(reverse("progress:checklist_item_tick", args=[discipline_item.pk]), {"status": "done"})
        .status_code
        == 403
    )
    guidance = make_staff(p.school, "guidance", username="guidance")
    response = client_in("en", guidance).post(
        reverse("progress:checklist_item_tick", args=[discipline_item.pk]), {"status": "done"}, follow=True
    )
    assert "Only the responsible office can tick this item." in response.content.decode()
    discipline_item.refresh_from_db()
    assert discipline_item.status == "open"
    discipline = make_staff(p.school, "discipline", username="discipline")
    client_in("en", discipline).post(
        reverse("progress:checklist_item_tick", args=[discipline_item.pk]), {"status": "done", "note": "已完成登錄"}
    )
    discipline_item.refresh_from_db()
    assert discipline_item.status == "done" and discipline_item.note == "已完成登錄"
    assert AuditEntry.objects.filter(action="checklist_item.tick").count() == 1
    # A computed item cannot be ticked by hand.
    upload_item = ChecklistItem.objects.get(work_item="upload")
    response = client_in("en", p.registry).post(
        reverse("progress:checklist_item_tick", args=[upload_item.pk]), {"status": "done"}, follow=True
    )
    assert "comes from the data" in response.content.decode()


def test_adding_an_item_by_hand_and_bad_input(personas: Personas) -> None:
    p = personas
    client = client_in("en", p.registry)
    url = reverse("progress:checklist_item_create", args=[p.term.pk])
    response = client.post(
        url,
        {"section": "planning", "title": "補充規定上網公告", "office": "registry", "due_on": "2030-01-01"},
        follow=True,
    )
    assert "The due date must be near the term" in response.content.decode()
    response = client.post(
        url, {"section": "planning", "title": "", "office": "registry", "due_on": "2025-10-01"}, follow=True
    )
    assert "Fill in the work item" in response.content.decode()
    assert not ChecklistItem.objects.exists()
    client.post(url, {"section": "planning", "title": "補充規定上網公告", "office": "registry", "due_on": "2025-10-01"})
    assert ChecklistItem.objects.get().title == "補充規定上網公告"


def test_printable_page_and_xlsx_export(personas: Personas) -> None:
    p = personas
    _schedule(p)
    client = client_in("en", p.registry)
    client.post(reverse("progress:checklist_generate", args=[p.term.pk]))
    page = client.get(reverse("progress:checklist_print", args=[p.term.pk])).content.decode()
    assert "self-check list, term 114-1" in page and "@media print" in page
    response = client.get(reverse("progress:checklist_export", args=[p.term.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("項目類別", "工作項目", "負責單位", "完成日期", "執行情形", "完成比例", "備註")
    assert len(rows) == 4 and rows[1][3] == "114.09.21"


def test_checklist_page_queries_do_not_grow_with_items(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    p = personas
    client = client_in("en", p.registry)
    url = reverse("progress:checklist")
    for n in range(3):
        ChecklistItem.objects.create(school=p.school, term=p.term, title=f"項目{n}", office="registry", due_on=SEPT)
    client.get(url)
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        client.get(url)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(school=p.school, term=p.term, title=f"項目{n}", office="registry", due_on=SEPT, work_item=w)
        for n in range(60)
        for w in ("", "upload")
    )
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        client.get(url)
