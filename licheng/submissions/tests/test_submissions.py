"""Submissions: rosters in the central database's layout, immutable snapshots with a manifest,
the streamed package, resubmission changes, one build at a time, and counselling never included."""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from licheng.records.models import CadreRole, Grade
from licheng.submissions import rosters as R
from licheng.submissions.models import Submission, SubmittedRecord
from licheng.submissions.sample import add_student_data
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas


@pytest.fixture
def term_data(personas: Personas, storage_root: Path) -> Personas:
    p = personas
    p.school_class.grade = 10
    p.school_class.save()
    add_student_data(p.student, p.term, p.course, verifier=p.registry)
    return p


def build(p: Personas, capture: Any) -> Submission:
    client = client_in("en", p.registry)
    with capture(execute=True):
        response = client.post(reverse("submissions:start"), {"term": p.term.pk})
    assert response.status_code == 302
    submission = Submission.objects.filter(school=p.school).order_by("-number").first()
    assert submission is not None and submission.status == "done", submission and submission.error
    return submission


def package(p: Personas, submission: Submission) -> zipfile.ZipFile:
    response = client_in("en", p.registry).get(reverse("submissions:package", args=[submission.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]


def roster_book(p: Personas, submission: Submission, code: str) -> Any:
    response = client_in("en", p.registry).get(reverse("submissions:roster", args=[submission.pk, code]))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)  # type: ignore[attr-defined]


def test_rosters_have_the_defined_sheets_and_headers(
    term_data: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    p = term_data
    submission = build(p, django_capture_on_commit_callbacks)
    for roster in R.rosters_for_term(1):
        book = roster_book(p, submission, roster.code)
        assert book.sheetnames == [R.COVER_SHEET, *(sheet.name for sheet in roster.sheets)]
        cover = list(book[R.COVER_SHEET].iter_rows(values_only=True))
        assert cover[0] == R.COVER_HEADERS
        assert cover[1] == ("111111", 114, 0 if roster.yearly else 1, int(roster.code))
        for sheet in roster.sheets:
            header = next(book[sheet.name].iter_rows(values_only=True))
            assert header == sheet.headers


def test_cells_use_the_central_database_formats(term_data: Personas, django_capture_on_commit_callbacks: Any) -> None:
    p = term_data
    p.student.set_national_id("a123456789")
    p.student.birth_date = datetime.date(2009, 1, 16)
    p.student.save()
    submission = build(p, django_capture_on_commit_callbacks)
    rows = list(roster_book(p, submission, "24")["幹部經歷紀錄"].iter_rows(values_only=True))
    assert rows[1][:3] == ("A123456789", "班級", "1140811")  # 身分證號, 單位名稱, start date as 7-digit ROC
    students = list(roster_book(p, submission, "1")["學生資料"].iter_rows(values_only=True))
    assert students[1][students[0].index("出生日期")] == "0980116"
    grades = list(roster_book(p, submission, "2")["補修成績"].iter_rows(values_only=True))
    header = grades[0]
    assert (grades[1][header.index("應修課學年度")], grades[1][header.index("應修課學期")]) == ("113", "2")
    assert grades[1][header.index("補考成績")] == "-1"
    outcomes = list(roster_book(p, submission, "26")["學期課程學習成果"].iter_rows(values_only=True))
    names = outcomes[1][outcomes[0].index("課程學習成果檔案")]
    archive = package(p, submission)
    assert f"files/{names}" in archive.namelist()


def test_counselling_never_enters_a_roster(term_data: Personas, django_capture_on_commit_callbacks: Any) -> None:
    from licheng.counselling.models import CounsellingParticipant, CounsellingSession

    p = term_data
    sentinel = "SENTINEL-課程諮詢-只留在學校"
    session = CounsellingSession.objects.create(
        school=p.school,
        counsellor=p.homeroom_teacher,
        kind="individual",
        held_on=p.term.starts_on,
        content=sentinel,
        advice=sentinel,
        place=sentinel,
    )
    CounsellingParticipant.objects.create(school=p.school, session=session, student=p.student)
    submission = build(p, django_capture_on_commit_callbacks)
    archive = package(p, submission)
    for name in archive.namelist():
        data = archive.read(name)
        if name.endswith(".xlsx"):
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    assert not any(sentinel in str(cell) for cell in row if cell), name
        assert sentinel.encode() not in data
    for record in SubmittedRecord.objects.filter(submission=submission):
        assert sentinel not in str(record.sheets)


def test_counselling_is_refused_by_the_allow_list() -> None:
    from licheng.counselling.models import CounsellingSession
    from licheng.records.submittable import NotSubmittable, assert_submittable
    from licheng.submissions.roster_sources import SOURCES

    for source in SOURCES.values():
        assert source.__doc__ is None or "counselling" not in source.__doc__
    with pytest.raises(NotSubmittable):
        assert_submittable(CounsellingSession)


def test_manifest_covers_every_roster_and_file(term_data: Personas, django_capture_on_commit_callbacks: Any) -> None:
    p = term_data
    submission = build(p, django_capture_on_commit_callbacks)
    archive = package(p, submission)
    manifest = archive.read("MANIFEST.sha256").decode()
    assert hashlib.sha256(manifest.encode()).hexdigest() == submission.manifest_sha256
    listed = {name: digest for digest, name in (line.split("  ", 1) for line in manifest.splitlines())}
    assert set(listed) == set(archive.namelist()) - {"MANIFEST.sha256"}
    assert len([n for n in listed if n.startswith("files/")]) == 2
    for name, digest in listed.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name


def test_resubmission_shows_what_changed(term_data: Personas, django_capture_on_commit_callbacks: Any) -> None:
    p = term_data
    first = build(p, django_capture_on_commit_callbacks)
    first_manifest = first.manifest
    Grade.objects.filter(student=p.student, variant="regular").update(score=Decimal("90"))
    CadreRole.objects.create(
        school=p.school,
        student=p.student,
        academic_year=114,
        term=1,
        unit="熱音社",
        post="社長",
        level=3,
        starts_on=p.term.starts_on,
        ends_on=p.term.ends_on,
        verified_at=timezone.now(),
    )
    second = build(p, django_capture_on_commit_callbacks)
    assert second.number == 2 and second.previous == first
    assert second.changes["2"] == {"added": 0, "removed": 0, "changed": 1}
    assert second.changes["24"] == {"added": 1, "removed": 0, "changed": 0}
    assert second.changes["26"] == {"added": 0, "removed": 0, "changed": 0}
    first.refresh_from_db()
    assert first.manifest == first_manifest  # the earlier snapshot is untouched
    page = client_in("en", p.registry).get(reverse("submissions:detail", args=[second.pk])).content.decode()
    assert "Compared with submission #1" in page


def test_one_build_at_a_time(term_data: Personas) -> None:
    p = term_data
    Submission.objects.create(school=p.school, term=p.term, number=1, status="running", started_by=p.registry)
    response = client_in("en", p.registry).post(reverse("submissions:start"), {"term": p.term.pk}, follow=True)
    assert "Submission #1 is still being built" in response.content.decode()
    assert Submission.objects.count() == 1


def test_a_lost_build_stops_blocking_after_hours(term_data: Personas) -> None:
    p = term_data
    lost = Submission.objects.create(school=p.school, term=p.term, number=1, status="running", started_by=p.registry)
    Submission.objects.filter(pk=lost.pk).update(created_at=timezone.now() - datetime.timedelta(hours=4))
    client_in("en", p.registry).post(reverse("submissions:start"), {"term": p.term.pk})
    lost.refresh_from_db()
    assert lost.status == "failed"
    assert Submission.objects.count() == 2


def test_history_page_queries_do_not_grow(term_data: Personas, django_assert_max_num_queries: Any) -> None:
    p = term_data
    for number in range(1, 31):
        Submission.objects.create(school=p.school, term=p.term, number=number, status="done", started_by=p.registry)
    client = client_in("en", p.registry)
    client.get(reverse("submissions:index"))
    # session, user, roles, permissions, terms, readiness (students, course codes, grades, rules,
    # outcome selections, performances, cadre roles), history, menu
    with django_assert_max_num_queries(22):
        assert client.get(reverse("submissions:index")).status_code == 200
