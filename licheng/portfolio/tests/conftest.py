from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from licheng.files.models import StoredFile
from licheng.files.tests import corpus
from licheng.portfolio.models import CourseOutcome, CourseOutcomeFile, CourseOutcomeVersion
from licheng.schools.models import SchoolRules
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas


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


def stored_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@dataclasses.dataclass
class World:
    p: Personas
    root: Path
    today: datetime.date

    def client(self, user: Any) -> Client:
        return client_in("en", user)

    def rules(self, **values: int) -> None:
        SchoolRules.objects.update_or_create(school=self.p.school, academic_year=None, defaults=values)

    def windows(self, **dates: datetime.date | None) -> None:
        for key, value in dates.items():
            setattr(self.p.term, key, value)
        self.p.term.save()


@pytest.fixture
def world(personas: Personas, storage_root: Path) -> World:
    """Every window of the term open from yesterday until ten days from now."""
    today = timezone.localdate()
    w = World(personas, storage_root, today)
    w.windows(
        upload_opens_on=today - datetime.timedelta(days=1),
        upload_closes_on=today + datetime.timedelta(days=10),
        certification_opens_on=today - datetime.timedelta(days=1),
        certification_closes_on=today + datetime.timedelta(days=10),
        selection_opens_on=today - datetime.timedelta(days=1),
        selection_closes_on=today + datetime.timedelta(days=10),
    )
    return w


def pdf_upload(name: str = "essay.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, corpus.pdf(), content_type="application/pdf")


def png_upload(name: str = "poster.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, corpus.png(), content_type="image/png")


def make_outcome(student: Any, course: Any, *, state: str = "pending", uploader: Any = None) -> CourseOutcome:
    """An outcome written straight to the database (for lists and query counts)."""
    outcome = CourseOutcome.objects.create(
        school=student.school,
        student=student,
        course=course,
        term=course.term,
        academic_year_id=course.term.academic_year_id,
    )
    version = CourseOutcomeVersion.objects.create(
        school=student.school,
        outcome=outcome,
        number=1,
        description="作品說明",
        state=state,
    )
    stored = StoredFile.objects.create(
        school=student.school,
        sha256="0" * 64,
        size=10,
        content_type="application/pdf",
        kind="document",
        original_name="a.pdf",
        storage_name="sha256/00/00/" + "0" * 64,
        uploaded_by=uploader or student.user,
    )
    CourseOutcomeFile.objects.create(school=student.school, version=version, stored_file=stored)
    return outcome


# The browser fixtures (Chromium through Playwright) live with core's browser tests.
from licheng.core.tests.conftest import chromium, desktop_page, phone_page, screenshot_dir  # noqa: E402, F401
