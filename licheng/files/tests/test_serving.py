"""Serving stored files and their previews, and the background preview job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.http import Http404
from django.test import RequestFactory
from PIL import Image

from licheng.files.models import StoredFile
from licheng.files.tasks import make_preview
from licheng.files.tests import corpus
from licheng.files.views import file_response, preview_response

pytestmark = pytest.mark.django_db


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_file_response_headers_and_chinese_name(ingest: Any) -> None:
    stored = ingest("我的作品集.pdf", corpus.pdf())
    response = file_response(RequestFactory().get("/"), stored)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "inline; filename=\"_____.pdf\"; filename*=UTF-8''%E6%88%91%E7%9A%84%E4%BD%9C%E5%93%81%E9%9B%86.pdf"
    )
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert "private" in response["Cache-Control"]
    assert response["Content-Length"] == str(stored.size)
    assert body(response) == open_bytes(stored)


def open_bytes(stored: StoredFile) -> bytes:
    from licheng.files.services import file_open

    with file_open(stored) as fh:
        return fh.read()


def test_attachment_with_another_name_and_sandbox_for_images(ingest: Any) -> None:
    stored = ingest("a.png", corpus.png())
    response = file_response(RequestFactory().get("/"), stored, inline=False, download_name='say "hi".png')
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith('attachment; filename="say _hi_.png"')
    inline = file_response(RequestFactory().get("/"), stored)
    assert inline["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_missing_bytes_answer_404(ingest: Any, storage_root: Path) -> None:
    stored = ingest("a.pdf", corpus.pdf())
    (storage_root / stored.storage_name).unlink()
    with pytest.raises(Http404):
        file_response(RequestFactory().get("/"), stored)


def test_preview_is_made_after_commit(ingest: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stored = ingest("a.pdf", corpus.pdf(pages=2))
    with pytest.raises(Http404):
        preview_response(RequestFactory().get("/"), stored)  # not yet: the job has not run
    assert len(callbacks) == 1
    callbacks[0]()  # the immediate task backend runs the job now
    stored.refresh_from_db()
    assert stored.preview_name.startswith("sha256/")
    response = preview_response(RequestFactory().get("/"), stored)
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    import io

    with Image.open(io.BytesIO(body(response))) as img:
        assert img.format == "PNG"
        assert img.width == 800
        assert img.height > img.width  # an A4 page


def test_image_preview_is_downscaled(ingest: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        stored = ingest("big.png", corpus.png(width=1600, height=1200))
    stored.refresh_from_db()
    import io

    with Image.open(io.BytesIO(body(preview_response(RequestFactory().get("/"), stored)))) as img:
        assert img.size == (800, 600)


def test_media_has_no_preview_job(ingest: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stored = ingest("a.mp3", corpus.mp3())
    assert callbacks == []
    assert make_preview.call(file_id=stored.pk) == ""


def test_download_route_for_the_uploader_and_staff(ingest: Any, personas: Any) -> None:
    from licheng.testing.clients import client_in

    stored = ingest("學習單.pdf", corpus.pdf())
    response = client_in("zh-hant", personas.student_user).get(f"/files/{stored.pk}/?download=1")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "UTF-8''%E5%AD%B8" in response["Content-Disposition"]
    assert body(response) == open_bytes(stored)
    assert client_in("zh-hant", personas.registry).get(f"/files/{stored.pk}/").status_code == 200
    assert client_in("zh-hant", personas.subject_teacher).get(f"/files/{stored.pk}/").status_code == 404
    assert client_in("zh-hant", personas.outsider).get(f"/files/{stored.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("header", "status", "expected_range"),
    [("bytes=0-99", 206, (0, 99)), ("bytes=100-", 206, (100, None)), ("bytes=-50", 206, (-50, None)), ("x", 200, None)],
)
def test_byte_ranges_let_players_seek(ingest: Any, header: str, status: int, expected_range: Any) -> None:
    stored = ingest("clip.mp4", corpus.mp4())
    whole = open_bytes(stored)
    response = file_response(RequestFactory().get("/", HTTP_RANGE=header), stored)
    assert response.status_code == status
    assert response["Accept-Ranges"] == "bytes"
    assert response["X-Content-Type-Options"] == "nosniff"
    got = body(response)
    if expected_range is None:
        assert got == whole
        return
    first, last = expected_range
    expected = whole[first:] if last is None else whole[first : last + 1]
    assert got == expected
    start = len(whole) + first if first < 0 else first
    assert response["Content-Range"] == f"bytes {start}-{start + len(expected) - 1}/{len(whole)}"
