"""The working group: members, meetings with attachments and the no-meeting warning, trainings,
evaluations and award proposals, exports."""

from __future__ import annotations

import datetime
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from licheng.files.tests import corpus
from licheng.schools.models import Term
from licheng.schools.rocdate import format_roc
from licheng.testing.factories import make_staff
from licheng.testing.personas import Personas
from licheng.workinggroup.models import Evaluation, Meeting, Member, Training


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _current_term(personas: Personas) -> Term:
    """Make the personas' term the one running today (the warning is about the current year)."""
    from django.utils import timezone

    today = timezone.localdate()
    Term.objects.filter(pk=personas.term.pk).update(
        starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=60)
    )
    personas.term.refresh_from_db()
    return personas.term


def test_members_meetings_and_warning(personas: Personas) -> None:
    term = _current_term(personas)
    group = make_staff(personas.school, "working_group", username="wg", name="教務主任")
    client = _client(group)
    page = client.get(reverse("workinggroup:index")).content.decode()
    assert "工作小組會議 0 次" in page  # the warning

    response = client.post(
        reverse("workinggroup:member_create"),
        {"name": "黃校長", "position": "校長", "group_role": "convener", "joined_on": format_roc(term.starts_on)},
    )
    assert response.status_code == 302
    # A second convener is refused, nothing added.
    response = client.post(
        reverse("workinggroup:member_create"),
        {"name": "林主任", "position": "學務主任", "group_role": "convener", "joined_on": format_roc(term.starts_on)},
    )
    assert response.status_code == 400 and Member.objects.count() == 1
    assert "召集人" in response.content.decode()

    held_on = term.starts_on + datetime.timedelta(days=3)
    response = client.post(
        reverse("workinggroup:meeting_create"),
        {
            "held_on": format_roc(held_on),
            "title": "第一次工作小組會議",
            "agenda": "一、上傳期程\n二、認證流程",
            "decisions": "通過本學期作業期程。",
            "attachments": [SimpleUploadedFile("紀錄.pdf", corpus.pdf())],
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.term == term and meeting.attachments.count() == 1
    assert "工作小組會議 0 次" not in client.get(reverse("workinggroup:index")).content.decode()
    detail = client.get(reverse("workinggroup:meeting_detail", args=[meeting.pk])).content.decode()
    assert "紀錄.pdf" in detail
    attachment = meeting.attachments.get()
    assert client.get(reverse("workinggroup:meeting_file", args=[meeting.pk, attachment.pk])).status_code == 200

    # A fake PDF is refused with a message; nothing attached.
    response = client.post(
        reverse("workinggroup:meeting_attach", args=[meeting.pk]),
        {"attachments": [SimpleUploadedFile("假的.pdf", b"not a pdf at all")]},
    )
    assert response.status_code == 400 and meeting.attachments.count() == 1

    # A date no term contains is refused.
    response = client.post(
        reverse("workinggroup:meeting_create"),
        {"held_on": "80.01.01", "title": "x", "agenda": "y"},
    )
    assert response.status_code == 400 and Meeting.objects.count() == 1

    workbook = openpyxl.load_workbook(io.BytesIO(client.get(reverse("workinggroup:export", args=["meetings"])).content))
    rows = list(workbook.active.values)
    assert rows[1][2] == "第一次工作小組會議"


def test_trainings_and_evaluations(personas: Personas) -> None:
    client = _client(personas.school_admin)
    response = client.post(
        reverse("workinggroup:training_create"),
        {
            "kind": "briefing",
            "audience": "parents",
            "held_on": format_roc(personas.term.starts_on),
            "title": "高一家長學習歷程說明會",
            "attendance_count": "1",
            "attendees": "王大明\n李小華",
        },
    )
    assert response.status_code == 400  # two names listed, attendance 1
    assert Training.objects.count() == 0
    response = client.post(
        reverse("workinggroup:training_create"),
        {
            "kind": "briefing",
            "audience": "parents",
            "held_on": format_roc(personas.term.starts_on),
            "title": "高一家長學習歷程說明會",
            "attendance_count": "120",
        },
    )
    assert response.status_code == 302
    assert "高一家長學習歷程說明會" in client.get(reverse("workinggroup:trainings")).content.decode()

    response = client.post(
        reverse("workinggroup:evaluation_create"),
        {"kind": "award", "recorded_on": format_roc(personas.term.starts_on), "title": "敘獎", "content": "協助認證"},
    )
    assert response.status_code == 400 and Evaluation.objects.count() == 0  # an award names people
    response = client.post(
        reverse("workinggroup:evaluation_create"),
        {
            "kind": "award",
            "recorded_on": format_roc(personas.term.starts_on),
            "title": "學習歷程工作敘獎",
            "persons": "林組長、王導師",
            "content": "協助全校認證作業",
            "outcome": "嘉獎二次",
        },
    )
    assert response.status_code == 302
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("workinggroup:export", args=["evaluations"])).content)
    )
    assert list(workbook.active.values)[1][3] == "林組長、王導師"
    # Offices read but do not record.
    assert _client(personas.registry).get(reverse("workinggroup:evaluations")).status_code == 200
    assert _client(personas.registry).get(reverse("workinggroup:evaluation_create")).status_code == 403


def test_member_list_queries_stay_bounded(personas: Personas, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count: int) -> None:
        Member.objects.bulk_create(
            Member(
                school=personas.school,
                name=f"委員{Member.objects.count() + n}",
                position="教師",
                group_role="member",
                joined_on=personas.term.starts_on,
            )
            for n in range(count)
        )

    client = _client(personas.school_admin)
    add(3)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("workinggroup:members"))
    add(40)
    with django_assert_max_num_queries(len(small)):
        response = client.get(reverse("workinggroup:members"))
    assert "委員42" in response.content.decode()


def test_titles_are_named_as_titles_not_job_titles(personas: Personas) -> None:
    """ "title" of a meeting, training or evaluation is its name (會議名稱, 研習名稱, 名稱), not 職稱."""
    client = _client(personas.school_admin)
    client.cookies["django_language"] = "zh-hant"
    pages = {
        "workinggroup:meetings": "會議名稱",
        "workinggroup:meeting_create": "會議名稱",
        "workinggroup:trainings": "研習名稱",
        "workinggroup:training_create": "研習名稱",
        "workinggroup:evaluations": "名稱",
        "workinggroup:evaluation_create": "名稱",
    }
    Training.objects.create(
        school=personas.school,
        kind="briefing",
        audience="parents",
        held_on=personas.term.starts_on,
        title="說明會",
        attendance_count=3,
        created_by=personas.school_admin,
    )
    for name, word in pages.items():
        page = client.get(reverse(name)).content.decode()
        assert word in page, name
        assert "職稱" not in page, name
