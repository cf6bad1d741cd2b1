"""Reading uploads: streamed to temporary files, stopping at the first byte over the limit."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.client import BOUNDARY, encode_multipart
from django.utils import translation

from licheng.files.upload import UploadTooLarge, limit_upload, upload_view

LIMIT = 100_000


class CountingInput(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.total = len(data)


def post(files: dict[str, bytes], **fields: str) -> tuple[HttpRequest, CountingInput]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.handlers.wsgi import LimitedStream

    data: dict[str, Any] = {name: SimpleUploadedFile(f"{name}.pdf", content) for name, content in files.items()}
    data.update(fields)
    body = encode_multipart(BOUNDARY, data)
    request = RequestFactory().post("/upload/", body, content_type="multipart/form-data; boundary=" + BOUNDARY)
    stream = CountingInput(body)
    request._stream = LimitedStream(stream, len(body))  # type: ignore[attr-defined,assignment]
    return request, stream


def test_file_at_the_limit_arrives_on_disk() -> None:
    request, _ = post({"file": b"x" * LIMIT}, title="作品")
    limit_upload(request, LIMIT)
    upload: Any = request.FILES["file"]
    assert upload.size == LIMIT
    assert hasattr(upload, "temporary_file_path")  # streamed to disk, not held in memory
    assert request.POST["title"] == "作品"


def test_one_byte_over_stops_reading_and_keeps_nothing() -> None:
    # Two files allowed, so the body as a whole is under the body limit; the first file is over.
    request, stream = post({"file": b"x" * (LIMIT + 1), "other": b"y" * 10 * LIMIT})
    with translation.override("en"), pytest.raises(UploadTooLarge, match="limit") as refused:
        limit_upload(request, LIMIT, files_allowed=20)
    assert refused.value.status_code == 413
    assert refused.value.field == "file"
    assert stream.tell() < stream.total / 2  # stopped reading long before the end
    assert not request.FILES and not request.POST


def test_body_over_the_limit_is_refused_before_reading() -> None:
    request, stream = post({"file": b"x" * (3 * LIMIT)})
    with pytest.raises(UploadTooLarge):
        limit_upload(request, LIMIT)
    assert stream.tell() == 0


def test_too_many_files() -> None:
    request, _ = post({"a": b"1", "b": b"2"})
    with pytest.raises(UploadTooLarge):
        limit_upload(request, LIMIT, files_allowed=1)


def test_already_parsed_request_is_checked_after_the_fact() -> None:
    request, _ = post({"file": b"x" * (LIMIT + 1)})
    request.POST  # noqa: B018 - what the CSRF middleware does before a view runs
    with pytest.raises(UploadTooLarge):
        limit_upload(request, LIMIT)
    assert not request.FILES


def test_get_requests_are_left_alone() -> None:
    limit_upload(RequestFactory().get("/"), LIMIT)


def seen(request: HttpRequest) -> HttpResponse:
    error = getattr(request, "upload_error", None)
    return HttpResponse(error.message if error else f"files={len(request.FILES)}")


def test_upload_view_checks_csrf_after_reading_with_the_limit() -> None:
    view = upload_view(lambda request: LIMIT)(seen)
    request, _ = post({"file": b"x" * 10})
    with pytest.raises(PermissionDenied):
        view(request)  # no CSRF token
    request, _ = post({"file": b"x" * 10})
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    assert view(request).content == b"files=1"


def test_upload_view_hands_the_refusal_to_the_view() -> None:
    view = upload_view(lambda request: LIMIT)(seen)
    request, _ = post({"file": b"x" * (LIMIT + 1)})
    with translation.override("en"):
        assert b"limit" in view(request).content


@pytest.mark.django_db
def test_streamed_upload_is_hashed_on_arrival_and_stored_by_link(personas: Any, storage_root: Any) -> None:
    from licheng.audit.services import Actor
    from licheng.files.services import file_ingest, file_verify
    from licheng.files.tests import corpus
    from licheng.files.tests.conftest import listing

    data = corpus.pdf(text="streamed")
    request, _ = post({"file": data})
    limit_upload(request, corpus.LIMIT)
    upload: Any = request.FILES["file"]
    assert upload.temporary_file_path().startswith(str(storage_root / ".incoming"))
    stored = file_ingest(
        actor=Actor(user=personas.student_user),
        school=personas.school,
        upload=upload,
        document_max_bytes=corpus.LIMIT,
        media_max_bytes=corpus.LIMIT,
    )
    assert stored.sha256 == upload.sha256
    assert file_verify(stored)
    upload.close()
    assert listing(storage_root) == {stored.storage_name}  # the temporary name is gone, the blob stays
