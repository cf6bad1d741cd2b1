"""A student moves between two demo schools: every file arrives with the same SHA-256."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
import pyzipper
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from licheng.files.models import StoredFile
from licheng.files.services import hash_stored
from licheng.lifecycle.models import PackageState, TransferPackage
from licheng.people.models import Student, User
from licheng.portfolio.models import CourseOutcomeFile
from licheng.testing.clients import client_in

pytestmark = pytest.mark.django_db


def test_a_transfer_between_two_demo_schools_carries_every_file(
    storage_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    call_command("demo_school", students=10, schools=2, stdout=io.StringIO())
    with scopes_disabled():
        links = CourseOutcomeFile.objects.filter(school__code="100001").select_related("version__outcome__student")
        student = next(link.version.outcome.student for link in links)
        originals = {
            link.stored_file.sha256
            for link in CourseOutcomeFile.objects.filter(version__outcome__student=student).select_related(
                "stored_file"
            )
        }
    assert originals, "the demo gives its first students course outcomes with files"

    leaving = client_in("en", User.objects.get(username="registry"))
    with django_capture_on_commit_callbacks(execute=True):
        response = leaving.post(
            reverse("lifecycle:change", args=[student.pk, "transfer_out"]),
            {
                "transfer_out-effective_on": "115.11.20",
                "confirmed": "1",
                "transfer_out-other_school_code": "100002",
                "transfer_out-other_school_name": "歷程示範第二高級中學",
            },
        )
    assert response.status_code == 302
    with scopes_disabled():
        package = TransferPackage.objects.get(student=student)
    assert package.state == PackageState.READY, package.error
    download = leaving.get(reverse("lifecycle:package_download", args=[package.pk]))
    data = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    shown = leaving.post(reverse("lifecycle:package_password", args=[package.pk])).content.decode()
    password = re.search(r'<code class="password">([A-Z0-9-]+)</code>', shown).group(1)  # type: ignore[union-attr]
    archive = pyzipper.AESZipFile(io.BytesIO(data))
    archive.setpassword(password.encode())
    packed = {
        hashlib.sha256(archive.read(name)).hexdigest() for name in archive.namelist() if name.startswith("files/")
    }
    assert originals <= packed

    receiving = client_in("en", User.objects.get(username="100002-registry"))
    response = receiving.post(
        reverse("lifecycle:transfer_in"),
        {
            "package": SimpleUploadedFile(package.file_name, data, content_type="application/zip"),
            "student_number": "1159999",
            "effective_on": "115.11.23",
            "password": password,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        arrived = Student.objects.get(school__code="100002", student_number="1159999")
        assert arrived.national_id == student.national_id
        stored = StoredFile.objects.filter(school__code="100002", sha256__in=packed)
        assert {f.sha256 for f in stored} == packed
        for f in stored:
            assert hash_stored(f.storage_name) == f.sha256  # the bytes on disk, read back
