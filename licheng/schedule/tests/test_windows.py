"""The one place that says whether a window is open, and the pages that follow it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from licheng.audit.models import AuditEntry
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.performances import windows as performance_windows
from licheng.portfolio.windows import window_open as portfolio_window_open
from licheng.schedule import services
from licheng.schedule.models import ScheduleEntry, ScheduleExtension
from licheng.schedule.tests.conftest import DAY, add
from licheng.schedule.windows import WORK_ITEMS, window_dates, window_open
from licheng.schools.models import Term
from licheng.testing.clients import client_in
from licheng.testing.factories import SchoolClassFactory, StudentFactory, make_term
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def test_work_items_cover_the_yearly_flow() -> None:
    for code in ("upload", "certification", "selection", "pre_check", "submission", "receipt_confirmation"):
        assert code in WORK_ITEMS
    assert {"entry_registry", "entry_activities", "entry_discipline", "entry_guidance"} <= set(WORK_ITEMS)
    assert WORK_ITEMS["entry_discipline"].office == "discipline"


def test_without_entries_the_terms_own_dates_answer(personas: Personas, today: datetime.date) -> None:
    p = personas
    p.term.upload_opens_on, p.term.upload_closes_on = today - DAY, today + DAY
    p.term.save()
    assert window_dates(p.school, "upload", p.term) == (today - DAY, today + DAY)
    assert window_open("upload", p.term, p.student_user, today)
    assert not window_open("pre_check", p.term, None, today)
    # The first entry of the term switches it to the schedule: upload has no entry, so it is closed.
    add(p, "pre_check", today, today + DAY)
    assert window_dates(p.school, "upload", p.term) == (None, None)
    assert not window_open("upload", p.term, p.student_user, today)
    assert window_open("pre_check", p.term, None, today)


def test_grade_windows_and_grade_12_batches(personas: Personas, today: datetime.date) -> None:
    p = personas
    add(p, "upload", today - 10 * DAY, today - DAY)  # every grade: closed yesterday
    add(p, "upload", today, today + 5 * DAY, grade=10)
    add(p, "submission", today - 20 * DAY, today - 10 * DAY, grade=12, batch=1)
    add(p, "submission", today + 10 * DAY, today + 20 * DAY, grade=12, batch=2)
    # p.student is in grade 10: the grade-10 window wins over the every-grade one.
    assert window_open("upload", p.term, p.student_user, today)
    assert not window_open("upload", p.term, None, today)
    senior_class = SchoolClassFactory.create(school=p.school, name="301", grade=12)
    senior = StudentFactory.create(school_class=senior_class)
    assert not window_open("upload", p.term, senior.user, today)
    assert window_dates(p.school, "submission", p.term, grade=12, batch=2) == (today + 10 * DAY, today + 20 * DAY)
    assert window_dates(p.school, "submission", p.term, grade=12) == (today - 20 * DAY, today + 20 * DAY)
    assert window_open("submission", p.term, None, today + 15 * DAY)
    assert not window_open("submission", p.term, None, today)  # between the batches


def test_changing_an_end_date_opens_and_closes_every_caller_at_once(personas: Personas, today: datetime.date) -> None:
    p = personas
    entries = {kind: add(p, kind, today - 5 * DAY, today - DAY) for kind in ("upload", "certification", "selection")}
    actor = Actor(user=p.registry)
    fresh = lambda: Term.objects.select_related("academic_year").get(pk=p.term.pk)  # noqa: E731
    assert not portfolio_window_open("upload", fresh(), p.student_user)
    assert not performance_windows.upload_open(p.school, fresh().academic_year)
    student, teacher = client_in("en", p.student_user), client_in("en", p.subject_teacher)
    assert "The upload window is not open now." in student.get(reverse("portfolio:my_outcomes")).content.decode()
    assert "certification window is not open" in teacher.get(reverse("portfolio:queue")).content.decode()
    assert "selections are locked" in student.get(reverse("portfolio:selection")).content.decode()

    for entry in entries.values():
        services.schedule_entry_update(actor=actor, entry=entry, starts_on=entry.starts_on, ends_on=today + 3 * DAY)

    assert portfolio_window_open("upload", fresh(), p.student_user)
    assert performance_windows.upload_open(p.school, fresh().academic_year)
    assert performance_windows.selection_open(p.school, fresh().academic_year)
    assert "The upload window is not open now." not in student.get(reverse("portfolio:my_outcomes")).content.decode()
    assert "certification window is not open" not in teacher.get(reverse("portfolio:queue")).content.decode()
    assert "selections are locked" not in student.get(reverse("portfolio:selection")).content.decode()


def test_extensions_for_one_person(personas: Personas, today: datetime.date) -> None:
    p = personas
    add(p, "upload", today - 10 * DAY, today - DAY)
    add(p, "receipt_confirmation", today - 10 * DAY, today - DAY)
    actor = Actor(user=p.registry)
    services.schedule_extension_grant(
        actor=actor, term=p.term, user=p.student_user, work_item="upload", until=today, reason="住院"
    )
    services.schedule_extension_grant(
        actor=actor,
        term=p.term,
        user=p.student_user,
        work_item="receipt_confirmation",
        until=today + DAY,
        reason="出國比賽",
    )
    assert window_open("upload", p.term, p.student_user, today)
    assert not window_open("upload", p.term, p.student_user, today + DAY)
    assert window_open("receipt_confirmation", p.term, p.student_user, today + DAY)
    assert not window_open("receipt_confirmation", p.term, None, today)
    assert ScheduleExtension.objects.count() == 1
    assert AuditEntry.objects.filter(action="schedule_extension.grant").count() == 2


def test_extension_for_someone_of_another_school_is_refused_and_changes_nothing(
    personas: Personas, today: datetime.date
) -> None:
    p = personas
    response = client_in("en", p.registry).post(
        reverse("schedule:extensions"),
        {
            "term": p.term.pk,
            "person": p.outsider.username,
            "work_item": "pre_check",
            "until": today.isoformat(),
            "reason": "x",
        },
    )
    # Another school's user is answered like someone who does not exist.
    assert "No one has this student number or username." in response.content.decode()
    assert not ScheduleExtension.objects.exists()
    response = client_in("en", p.registry).post(
        reverse("schedule:extensions"),
        {
            "term": p.term.pk,
            "person": p.student.student_number,
            "work_item": "pre_check",
            "until": today.isoformat(),
            "reason": "補件",
        },
        follow=True,
    )
    assert "The window was extended" in response.content.decode()
    assert ScheduleExtension.objects.get().user == p.student_user


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"starts_on": "2025-10-10", "ends_on": "2025-10-01"}, "A window cannot end before it starts."),
        (
            {"starts_on": "2025-10-01", "ends_on": "2025-10-10", "self_check_on": "2025-10-20"},
            "The self-check date must fall inside the window.",
        ),
        (
            {"starts_on": "2025-10-01", "ends_on": "2025-10-10", "grade": "11", "batch": "1"},
            "Only grade 12 has batches.",
        ),
        (
            {"starts_on": "2025-10-05", "ends_on": "2025-10-20", "grade": "12", "batch": "2"},
            "The batches of one work item and grade cannot overlap: Batch 1 runs 114.10.01–114.10.10.",
        ),
    ],
)
def test_bad_windows_are_refused_with_a_message_and_change_nothing(
    personas: Personas, post: dict[str, str], message: str
) -> None:
    p = personas
    add(p, "submission", datetime.date(2025, 10, 1), datetime.date(2025, 10, 10), grade=12, batch=1)
    before = list(ScheduleEntry.objects.values())
    response = client_in("en", p.registry).post(
        reverse("schedule:entry_create", args=[p.term.pk]), {"work_item": "submission", **post}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(ScheduleEntry.objects.values()) == before


def test_changing_an_entry_into_an_overlap_is_refused(personas: Personas) -> None:
    p = personas
    add(p, "submission", datetime.date(2025, 10, 1), datetime.date(2025, 10, 10), grade=12, batch=1)
    second = add(p, "submission", datetime.date(2025, 10, 20), datetime.date(2025, 10, 30), grade=12, batch=2)
    with pytest.raises(ServiceError):
        services.schedule_entry_update(
            actor=Actor(user=p.registry),
            entry=second,
            starts_on=datetime.date(2025, 10, 9),
            ends_on=datetime.date(2025, 10, 30),
            grade=12,
            batch=2,
        )
    second.refresh_from_db()
    assert second.starts_on == datetime.date(2025, 10, 20)


def test_schedule_page_lists_and_edits_a_window(personas: Personas) -> None:
    p = personas
    client = client_in("en", p.registry)
    response = client.post(
        reverse("schedule:entry_create", args=[p.term.pk]),
        {
            "work_item": "entry_discipline",
            "starts_on": "2025-09-01",
            "ends_on": "2025-09-15",
            "self_check_on": "2025-09-15",
            "note": "出缺勤與獎懲",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Attendance, rewards and penalties entered" in page and "Discipline section" in page
    entry = ScheduleEntry.objects.get()
    client.post(
        reverse("schedule:entry_edit", args=[entry.pk]),
        {"work_item": "entry_discipline", "starts_on": "2025-09-01", "ends_on": "2025-09-20", "office": "discipline"},
    )
    entry.refresh_from_db()
    assert entry.ends_on == datetime.date(2025, 9, 20)
    assert AuditEntry.objects.filter(action="schedule_entry.update").exists()
    # Teachers may look, not change.
    teacher = client_in("en", p.subject_teacher)
    assert teacher.get(reverse("schedule:index")).status_code == 200
    assert teacher.post(reverse("schedule:entry_delete", args=[entry.pk])).status_code == 403
    assert ScheduleEntry.objects.exists()


def test_copy_last_year_shifts_by_52_weeks(personas: Personas) -> None:
    p = personas
    last_year = make_term(p.school, year=113, number=1)
    services.schedule_entry_create(
        actor=Actor(user=p.registry),
        term=last_year,
        work_item="upload",
        starts_on=datetime.date(2024, 9, 2),  # a Monday
        ends_on=datetime.date(2024, 9, 13),
        self_check_on=datetime.date(2024, 9, 13),
    )
    client = client_in("en", p.registry)
    response = client.post(reverse("schedule:copy_last_year", args=[p.term.pk]), follow=True)
    assert "1 windows were copied" in response.content.decode()
    copy = ScheduleEntry.objects.get(term=p.term)
    assert copy.starts_on == datetime.date(2025, 9, 1) and copy.starts_on.weekday() == 0
    assert copy.ends_on == datetime.date(2025, 9, 12) and copy.self_check_on == datetime.date(2025, 9, 12)
    # A second copy is refused: the term has a schedule now.
    response = client.post(reverse("schedule:copy_last_year", args=[p.term.pk]), follow=True)
    assert "already has a schedule" in response.content.decode()
    assert ScheduleEntry.objects.filter(term=p.term).count() == 1


def test_template_tag_prints_the_scheduled_span(personas: Personas, today: datetime.date) -> None:
    from django.template import Context, Template

    p = personas
    add(p, "upload", datetime.date(2025, 9, 1), datetime.date(2026, 2, 14))
    rendered = Template('{% load schedule %}{% window_span "upload" term user %}').render(
        Context({"term": p.term, "user": p.student_user})
    )
    assert rendered == "114.09.01–115.02.14"


def test_extension_for_a_parent_or_in_the_past_is_refused(personas: Personas, today: datetime.date) -> None:
    p = personas
    actor = Actor(user=p.registry)
    translation.activate("en")
    with pytest.raises(ServiceError, match="student or a member of staff"):
        services.schedule_extension_grant(
            actor=actor, term=p.term, user=p.parent, work_item="pre_check", until=today, reason="x"
        )
    with pytest.raises(ServiceError, match="today or later"):
        services.schedule_extension_grant(
            actor=actor, term=p.term, user=p.subject_teacher, work_item="certification", until=today - DAY, reason="x"
        )
    with pytest.raises(ServiceError, match="may not extend"):
        services.schedule_extension_grant(
            actor=Actor(user=p.subject_teacher),
            term=p.term,
            user=p.student_user,
            work_item="upload",
            until=today,
            reason="x",
        )
    assert not ScheduleExtension.objects.exists()
