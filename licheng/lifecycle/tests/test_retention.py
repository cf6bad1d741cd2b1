"""Retention: after the school's period the daily job deletes a sealed student's personal data and
files, keeps an anonymous count and records what it did; a legal hold stops it for a named student."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from licheng.audit.models import AuditEntry
from licheng.audit.services import Actor
from licheng.files.models import StoredFile
from licheng.lifecycle import services
from licheng.lifecycle.models import LegalHold, RetentionCount, RetentionRun
from licheng.lifecycle.tasks import apply_retention
from licheng.people.models import Student, User
from licheng.records.models import Grade
from licheng.schools.models import SchoolRules
from licheng.testing.clients import client_in
from licheng.testing.factories import StudentFactory
from licheng.testing.personas import Personas

from .conftest import days_ago, fill_portfolio, ingest, stored_blobs

pytestmark = pytest.mark.django_db
YEAR = 365


def graduate(student: Student, on: datetime.date) -> Student:
    services.student_graduate(actor=Actor.system(), student=student, effective_on=on)
    student.refresh_from_db()
    return student


def leave(student: Student, on: datetime.date) -> Student:
    services.student_leave(actor=Actor.system(), student=student, effective_on=on)
    student.refresh_from_db()
    return student


def test_due_students_are_deleted_held_and_recent_ones_kept(
    personas: Personas, storage_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    p = personas
    files = fill_portfolio(p)
    old_graduate = graduate(p.student, days_ago(5 * YEAR + 10))
    shared = StudentFactory.create(school_class=p.school_class, name="共用檔案")
    # another student holds the same bytes as one of the deleted student's files: those bytes stay
    kept_copy = ingest(shared, "海報.png", (storage_root / files[2].storage_name).read_bytes(), "image/png")
    assert kept_copy.sha256 == files[2].sha256
    old_leaver = leave(StudentFactory.create(school_class=p.school_class, name="離校生"), days_ago(YEAR + 3))
    held = graduate(StudentFactory.create(school_class=p.school_class, name="保留生"), days_ago(6 * YEAR))
    LegalHold.objects.create(school=p.school, student=held, reason="訴訟中", placed_by=p.school_admin)
    recent = graduate(StudentFactory.create(school_class=p.school_class, name="新畢業生"), days_ago(30))
    old_user_pk = old_graduate.user_id

    # dry run first: the preview names them and deletes nothing
    page = client_in("en", p.registry).get(reverse("lifecycle:retention_preview")).content.decode()
    assert old_graduate.name in page and old_leaver.name in page and "訴訟中" in page and recent.name not in page
    assert Student.objects.filter(pk=old_graduate.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):  # bytes are removed once the deletion commits
        result = apply_retention.call()
    assert result["students_deleted"] == 2 and result["held"] == 1
    remaining = set(Student.objects.filter(school=p.school).values_list("name", flat=True))
    assert {old_graduate.name, old_leaver.name}.isdisjoint(remaining)
    assert {held.name, recent.name, shared.name} <= remaining
    assert Grade.objects.filter(student_id=old_graduate.pk).count() == 0
    assert not StoredFile.objects.filter(pk__in=[f.pk for f in files]).exists()
    blobs = stored_blobs(storage_root)
    assert kept_copy.storage_name in blobs
    assert all(f.storage_name not in blobs for f in files if f.sha256 != kept_copy.sha256)
    account = User.objects.get(pk=old_user_pk)
    assert not account.is_active and account.name == "" and account.username == f"deleted-{old_user_pk}"

    counts = {(c.reason, c.count) for c in RetentionCount.objects.filter(school=p.school)}
    assert counts == {("graduated", 1), ("left", 1)}
    run = RetentionRun.objects.get(school=p.school)
    assert (run.students_deleted, run.files_deleted, run.held) == (2, 5, 1)
    assert AuditEntry.objects.filter(action="lifecycle.retention_run").count() == 2  # one per school
    assert AuditEntry.objects.filter(action="lifecycle.retention_delete").count() == 2

    # idempotent: a second run deletes nothing more and counts nothing twice
    again = apply_retention.call()
    assert again["students_deleted"] == 0
    assert {(c.reason, c.count) for c in RetentionCount.objects.filter(school=p.school)} == counts

    page = client_in("en", p.registry).get(reverse("lifecycle:retention")).content.decode()
    assert "2 students and 5 files deleted, 1 kept by a legal hold" in page


def test_per_school_periods_are_used(personas: Personas) -> None:
    p = personas
    SchoolRules.objects.filter(school=p.school, academic_year=None).update(
        graduate_retention_years=3, leaver_retention_years=2
    )
    grad = graduate(p.student, days_ago(3 * YEAR + 5))
    leaver = leave(StudentFactory.create(school_class=p.school_class), days_ago(YEAR + 30))
    apply_retention.call()
    assert not Student.objects.filter(pk=grad.pk).exists()
    assert Student.objects.filter(pk=leaver.pk).exists()  # two years for leavers here


def test_releasing_a_hold_lets_the_next_run_delete(personas: Personas) -> None:
    p = personas
    student = graduate(p.student, days_ago(6 * YEAR))
    admin = client_in("en", p.school_admin)
    # only the school admin places holds; a reason is required
    assert (
        client_in("en", p.registry)
        .post(reverse("lifecycle:hold_place", args=[student.pk]), {"reason": "x"})
        .status_code
        == 403
    )
    response = admin.post(reverse("lifecycle:hold_place", args=[student.pk]), {"reason": ""}, follow=True)
    assert "Give the reason for the legal hold." in response.content.decode()
    assert LegalHold.objects.count() == 0
    admin.post(reverse("lifecycle:hold_place", args=[student.pk]), {"reason": "家長申訴處理中"})
    hold = LegalHold.objects.get()
    assert hold.placed_by == p.school_admin and hold.in_force
    response = admin.post(reverse("lifecycle:hold_place", args=[student.pk]), {"reason": "again"}, follow=True)
    assert "already has a legal hold" in response.content.decode()
    apply_retention.call()
    assert Student.objects.filter(pk=student.pk).exists()
    admin.post(reverse("lifecycle:hold_release", args=[hold.pk]), {"note": "已結案"})
    hold.refresh_from_db()
    assert not hold.in_force and hold.released_by == p.school_admin
    apply_retention.call()
    assert not Student.objects.filter(pk=student.pk).exists()


def test_retention_page_queries_do_not_grow(personas: Personas, django_assert_max_num_queries: Any) -> None:
    p = personas
    for student in StudentFactory.create_batch(12, school_class=p.school_class):
        graduate(student, days_ago(100))
    LegalHold.objects.create(school=p.school, student=student, reason="保留", placed_by=p.school_admin)
    client = client_in("en", p.school_admin)
    # session, user, roles, permissions, rules, sealed students, their leaving dates, holds, runs,
    # counts, plus the site menu's reads
    with django_assert_max_num_queries(18):
        response = client.get(reverse("lifecycle:retention"))
    assert response.status_code == 200 and "保留" in response.content.decode()
    with django_assert_max_num_queries(16):
        assert client.get(reverse("lifecycle:retention_preview"), {"on": "999.01.01"}).status_code == 200
