"""The API takes performance files as multipart, with the pages' checks, caps, limits and window."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from licheng.files.models import StoredFile
from licheng.files.tests import corpus
from licheng.performances.models import Performance, PerformanceFile
from licheng.performances.tests.conftest import add_work, open_windows, set_rules
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db
URL = "/api/v1/performances/mine"


def _form(**files: object) -> dict[str, object]:
    return {
        "kind": "8",
        "description": "校刊封面設計",
        "external_link": "https://example.org/work",
        "fields": json.dumps({"name": "校刊封面", "date": "2025-10-01"}),
        **files,
    }


def _blobs(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".incoming" not in p.parts}


def test_multipart_create_stores_the_files(windows_open: Personas, storage_root: Path) -> None:
    client = client_in("en", windows_open.student_user)
    files = [
        SimpleUploadedFile("封面.pdf", corpus.pdf(), content_type="application/pdf"),
        SimpleUploadedFile("定位.jpg", corpus.jpeg_with_gps(), content_type="image/jpeg"),
    ]
    response = client.post(URL, _form(files=files))
    assert response.status_code == 201, response.content
    body = response.json()
    assert [f["name"] for f in body["files"]] == ["封面.pdf", "定位.jpg"]
    performance = Performance.objects.get()
    assert performance.external_link == "https://example.org/work" and performance.fields["name"] == "校刊封面"
    assert PerformanceFile.objects.filter(performance=performance).count() == 2
    # The same pipeline as the pages: the stored image has no GPS any more.
    from PIL import Image

    image = StoredFile.objects.get(original_name="定位.jpg")
    with Image.open(storage_root / image.storage_name) as opened:
        assert 0x8825 not in opened.getexif()
    # Add and remove files later.
    added = client.post(
        f"{URL}/{performance.pk}/files", {"files": [SimpleUploadedFile("b.png", corpus.png(), "image/png")]}
    )
    assert added.status_code == 200 and len(added.json()["files"]) == 3
    file_id = added.json()["files"][0]["id"]
    removed = client.delete(f"{URL}/{performance.pk}/files/{file_id}")
    assert removed.status_code == 200 and len(removed.json()["files"]) == 2
    assert client.get(f"/performances/{performance.pk}/files/{added.json()['files'][1]['id']}/").status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.pdf", b"<html><script>alert(1)</script></html>", "page.pdf"),
        ("locked.pdf", corpus.encrypted_pdf(), "locked.pdf"),
        ("empty.pdf", b"", "empty.pdf"),
    ],
)
def test_bad_files_are_refused_and_leave_nothing(
    windows_open: Personas, storage_root: Path, name: str, content: bytes, message: str
) -> None:
    client = client_in("en", windows_open.student_user)
    good = SimpleUploadedFile("good.pdf", corpus.pdf(), content_type="application/pdf")
    bad = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(URL, _form(files=[good, bad]))
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "files" and response.json()["message"]
    assert Performance.objects.count() == 0 and StoredFile.objects.count() == 0
    assert _blobs(storage_root) == set()


def test_one_byte_over_the_limit_is_413(windows_open: Personas, storage_root: Path) -> None:
    set_rules(windows_open, document_max_mb=1, media_max_mb=1)
    client = client_in("en", windows_open.student_user)
    big = SimpleUploadedFile("big.pdf", corpus.pdf_of_size(1024 * 1024 + 1), content_type="application/pdf")
    response = client.post(URL, _form(files=[big]))
    assert response.status_code == 413, response.content
    assert "larger than the limit" in response.json()["message"]
    assert Performance.objects.count() == 0 and StoredFile.objects.count() == 0


def test_window_and_cap_apply_to_api_uploads(windows_open: Personas, storage_root: Path) -> None:
    p = windows_open
    set_rules(p, performances_per_year=1)
    add_work(p)
    client = client_in("en", p.student_user)
    files = [SimpleUploadedFile("a.pdf", corpus.pdf(), content_type="application/pdf")]
    response = client.post(URL, _form(files=files))
    assert response.status_code == 422 and "the most allowed" in response.json()["message"]
    set_rules(p, performances_per_year=30)
    open_windows(p, upload=False)
    files = [SimpleUploadedFile("a.pdf", corpus.pdf(), content_type="application/pdf")]
    response = client.post(URL, _form(files=files))
    assert response.status_code == 422 and "upload window" in response.json()["message"]
    assert Performance.objects.count() == 1 and StoredFile.objects.count() == 0
    bad_fields = client.post(URL, {**_form(), "fields": "{not json"})
    assert bad_fields.status_code == 422 and bad_fields.json()["field"] == "fields"


def test_writing_attachment_through_the_api(windows_open: Personas, storage_root: Path) -> None:
    from licheng.performances.models import Writing

    client = client_in("en", windows_open.student_user)
    url = "/api/v1/performances/writings/study_plan/attachment"
    response = client.post(url, {"attachment": SimpleUploadedFile("計畫.pdf", corpus.pdf(), "application/pdf")})
    assert response.status_code == 200, response.content
    assert response.json()["attachment"]["name"] == "計畫.pdf"
    writing = Writing.objects.get()
    bad = client.post(url, {"attachment": SimpleUploadedFile("x.pdf", corpus.javascript_pdf(), "application/pdf")})
    assert bad.status_code == 422 and bad.json()["field"] == "files"
    writing.refresh_from_db()
    assert writing.attachment is not None and writing.attachment.original_name == "計畫.pdf"
    assert StoredFile.objects.count() == 1
