"""The deployment operator exports a school from the page: a background job with progress, then a
ZIP whose folder passes every check school_import makes. Nobody else finds the page."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from licheng.audit.models import AuditEntry
from licheng.portability.load import check_folder
from licheng.portability.models import SchoolExportJob
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def test_operator_exports_a_school_in_the_background(
    personas: Personas, storage_root: Path, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    operator = Client()
    operator.force_login(personas.operator)
    url = reverse("portability:exports")
    assert url in operator.get("/", follow=True).content.decode()  # in the operator's menu
    assert operator.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert operator.post(url, {"school": personas.school.code}).status_code == 302
    job = SchoolExportJob.objects.get()
    assert job.status == "done" and job.progress_done == job.progress_total > 10
    assert AuditEntry.objects.filter(school=personas.school, action="school.export").count() == 1
    page = operator.get(url).content.decode()
    assert reverse("portability:download", args=[job.pk]) in page
    response = operator.get(reverse("portability:download", args=[job.pk]))
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    zipfile.ZipFile(io.BytesIO(body)).extractall(tmp_path)
    info = check_folder(tmp_path / f"school-{personas.school.code}")
    assert info["school"]["code"] == personas.school.code and info["counts"]["people.student"] >= 1

    for user in (personas.school_admin, personas.registry, personas.student_user):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"school": personas.school.code}).status_code == 404
    assert SchoolExportJob.objects.count() == 1
