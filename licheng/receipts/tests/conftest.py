from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from licheng.submissions.tests.conftest import storage_root  # noqa: F401
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas

PASSWORD = "收訖-2025!"


@pytest.fixture
def built(personas: Personas, storage_root: Path, django_capture_on_commit_callbacks: Any) -> Any:  # noqa: F811
    """The personas' student with a term of data, and a built submission of it."""
    from licheng.submissions.models import Submission
    from licheng.submissions.sample import add_student_data

    p = personas
    p.school_class.grade = 10
    p.school_class.save()
    add_student_data(p.student, p.term, p.course, verifier=p.registry)
    with django_capture_on_commit_callbacks(execute=True):
        client_in("en", p.registry).post(reverse("submissions:start"), {"term": p.term.pk})
    submission = Submission.objects.get(school=p.school)
    assert submission.status == "done", submission.error
    p.submission = submission  # type: ignore[attr-defined]
    return p


def window(days: int = 5) -> dict[str, str]:
    """Form values of a window from yesterday lasting ``days`` days (ROC dates)."""
    from licheng.schools.rocdate import format_roc

    opens = timezone.localdate() - datetime.timedelta(days=1)
    return {"opens_on": format_roc(opens), "closes_on": format_roc(opens + datetime.timedelta(days=days - 1))}


def post_receipt(p: Any, content: bytes, *, password: str = PASSWORD, term: Any = None, **extra: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"term": (term or p.term).pk, "password": password, **window(), **extra}
    data["upload"] = SimpleUploadedFile("receipt.zip", content, content_type="application/zip")  # type: ignore[assignment]
    return client_in("en", p.registry).post(reverse("receipts:import"), data)


from licheng.core.tests.conftest import chromium, desktop_page, phone_page, screenshot_dir  # noqa: E402, F401
