from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from licheng.audit.services import Actor
from licheng.files.services import file_ingest
from licheng.files.tests import corpus
from licheng.performances.models import Performance, PerformanceFile, PerformanceSelection, Writing
from licheng.portfolio.models import CourseOutcome, CourseOutcomeFile, CourseOutcomeSelection, CourseOutcomeVersion
from licheng.records.models import Grade


@pytest.fixture
def storage_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "files"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None, "file_permissions_mode": 0o600},
        },
    }
    return root


def stored_blobs(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.parts[-4:-3] == ("sha256",)}


def ingest(student: Any, name: str, data: bytes, content_type: str) -> Any:
    return file_ingest(
        actor=Actor(user=student.user),
        school=student.school,
        upload=SimpleUploadedFile(name, data, content_type=content_type),
        document_max_bytes=4 * 1024 * 1024,
        media_max_bytes=10 * 1024 * 1024,
    )


def fill_portfolio(p: Any, student: Any | None = None) -> list[Any]:
    """A certified, selected course outcome (PDF + JPEG), a selected performance (PNG + MP3), a
    reflection with an attachment (PDF) and two term grades for the student; returns the stored files."""
    student = student or p.student
    files = [
        ingest(student, "讀書報告.pdf", corpus.pdf(text="report"), "application/pdf"),
        ingest(student, "照片.jpg", corpus.jpeg_with_gps(), "image/jpeg"),
        ingest(student, "海報.png", corpus.png(), "image/png"),
        ingest(student, "朗讀.mp3", corpus.mp3(), "audio/mpeg"),
        ingest(student, "省思附件.pdf", corpus.pdf(text="reflection"), "application/pdf"),
    ]
    outcome = CourseOutcome.objects.create(
        school=student.school, student=student, course=p.course, term=p.term, academic_year_id=p.term.academic_year_id
    )
    version = CourseOutcomeVersion.objects.create(
        school=student.school,
        outcome=outcome,
        number=1,
        description="國文閱讀心得",
        state="passed",
        decided_by=p.subject_teacher,
        decided_at=timezone.now(),
    )
    for position, stored in enumerate(files[:2]):
        CourseOutcomeFile.objects.create(school=student.school, version=version, stored_file=stored, position=position)
    performance = Performance.objects.create(
        school=student.school,
        student=student,
        academic_year=p.term.academic_year,
        kind=2,
        description="全國語文競賽朗讀組",
        fields={"name": "全國語文競賽", "level": "3", "award": "優等"},
    )
    CourseOutcomeSelection.objects.create(
        school=student.school, student=student, academic_year=p.term.academic_year, outcome=outcome, version=version
    )
    for position, stored in enumerate(files[2:4]):
        PerformanceFile.objects.create(
            school=student.school, performance=performance, stored_file=stored, position=position
        )
    PerformanceSelection.objects.create(
        school=student.school, student=student, academic_year=p.term.academic_year, performance=performance
    )
    Writing.objects.create(
        school=student.school,
        student=student,
        term=p.term,
        kind="reflection",
        sections={"body": "<p>這學期我學會了時間管理。</p>"},
        attachment=files[4],
    )
    for term, score in ((1, "88.50"), (2, "91")):
        Grade.objects.create(
            school=student.school,
            student=student,
            academic_year=114,
            term=term,
            course_code="114123456A1101010000000",
            subject_name="國文",
            grade_level=10,
            credits=4,
            score=score,
            passed=True,
            credit_counted=1,
        )
    return files


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)
