"""The file pipeline: every bad case of the corpus is refused with a clear message and leaves
nothing behind; good files are stored content-addressed and verified."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any
from unittest import mock

import pytest
from django.utils import translation
from PIL import Image

from licheng.audit.models import AuditEntry
from licheng.files import services
from licheng.files.models import StoredFile
from licheng.files.services import FileRejected, file_open, file_verify
from licheng.files.tests import corpus
from licheng.files.tests.conftest import listing, temp_leftovers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("case", "name", "make", "words"), corpus.BAD_CASES, ids=[c[0] for c in corpus.BAD_CASES])
def test_bad_upload_is_refused_and_leaves_nothing(
    ingest: Any, storage_root: Path, case: str, name: str, make: Any, words: str
) -> None:
    before_temp = temp_leftovers()
    with translation.override("en"), pytest.raises(FileRejected) as refused:
        ingest(name, make())
    assert words in refused.value.message, refused.value.message
    assert refused.value.field == "file"
    assert not StoredFile.objects.exists()
    assert listing(storage_root) == set()
    assert temp_leftovers() <= before_temp


def test_messages_are_in_traditional_chinese_by_default(ingest: Any) -> None:
    with pytest.raises(FileRejected) as refused:
        ingest("empty.pdf", b"")
    assert "0" in refused.value.message
    assert "empty" not in refused.value.message  # translated


def test_media_only_upload_refuses_documents(ingest: Any) -> None:
    with translation.override("en"), pytest.raises(FileRejected, match=r"\.pdf"):
        ingest("a.pdf", corpus.pdf(), kinds=("media",))


def test_media_limit_applies_to_media(ingest: Any, storage_root: Path) -> None:
    with translation.override("en"), pytest.raises(FileRejected, match="limit"):
        ingest("song.mp3", corpus.mp3(frames=60), media_max_bytes=1000)
    assert listing(storage_root) == set()


@pytest.mark.parametrize(
    ("name", "make", "content_type", "kind"),
    [
        ("作品.pdf", corpus.pdf, "application/pdf", "document"),
        ("圖.png", corpus.png, "image/png", "document"),
        ("photo.JPG", corpus.jpeg_with_gps, "image/jpeg", "document"),
        ("photo.jpeg", corpus.jpeg_with_gps, "image/jpeg", "document"),
        ("song.mp3", corpus.mp3, "audio/mpeg", "media"),
        ("clip.mp4", corpus.mp4, "video/mp4", "media"),
    ],
)
def test_good_upload_is_stored_content_addressed_and_verifies(
    ingest: Any, storage_root: Path, personas: Any, name: str, make: Any, content_type: str, kind: str
) -> None:
    stored = ingest(name, make())
    assert stored.content_type == content_type
    assert stored.kind == kind
    stem, _, ext = name.rpartition(".")
    assert stored.original_name == f"{stem}.{ext.lower()}"
    assert stored.uploaded_by == personas.student_user
    assert stored.scan_status == "not_scanned"
    assert stored.storage_name == f"sha256/{stored.sha256[:2]}/{stored.sha256[2:4]}/{stored.sha256}"
    assert listing(storage_root) >= {stored.storage_name}
    assert file_verify(stored)
    with file_open(stored) as fh:
        assert len(fh.read()) == stored.size
    entry = AuditEntry.objects.get(action="file.upload")
    assert entry.object_id == str(stored.pk)
    assert entry.changes["sha256"] == stored.sha256
    if kind == "media":
        assert stored.duration_seconds and stored.duration_seconds > 0


def test_exactly_at_the_limit_is_accepted(ingest: Any) -> None:
    data = corpus.pdf_of_size(corpus.LIMIT)
    assert len(data) == corpus.LIMIT
    assert ingest("max.pdf", data).size == corpus.LIMIT


def test_stored_jpeg_has_no_gps_and_is_upright(ingest: Any) -> None:
    original = corpus.jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as img:
        assert img.getexif().get_ifd(0x8825)  # the corpus really carries GPS
    stored = ingest("trip.jpg", original)
    with file_open(stored) as fh, Image.open(fh) as img:
        exif = img.getexif()
        assert not exif.get_ifd(0x8825)
        assert 0x8825 not in exif and 0x0112 not in exif
        assert "exif" not in img.info
        assert img.size == (20, 60)  # rotated: the 60×20 landscape is shown upright as portrait
        top: Any = img.getpixel((10, 5))
        bottom: Any = img.getpixel((10, 55))
    assert (stored.width, stored.height) == (20, 60)
    assert top[0] > 200 and top[2] < 80  # the yellow half is on top after rotation
    assert bottom[2] > 150
    assert b"GPS" not in file_open(stored).read()


def test_png_text_chunks_are_dropped(ingest: Any) -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address: 1 Secret Road")
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", pnginfo=info)
    stored = ingest("note.png", out.getvalue())
    assert b"Secret Road" not in file_open(stored).read()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/作品.pdf", "作品.pdf"),
        ("..\\..\\windows\\report.pdf", "report.pdf"),
        ("bad\x00na\x1bme\u202e.pdf", "badname.pdf"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
        ("   .hidden.PDF", "hidden.pdf"),
    ],
)
def test_names_are_made_safe(ingest: Any, name: str, expected: str) -> None:
    stored = ingest(name, corpus.pdf())
    assert stored.original_name == expected
    assert len(stored.original_name) <= 120


def test_same_bytes_twice_make_one_blob_and_two_rows(ingest: Any, storage_root: Path) -> None:
    data = corpus.pdf(text="twice")
    first = ingest("a.pdf", data)
    second = ingest("b.pdf", data)
    assert first.pk != second.pk and first.sha256 == second.sha256
    assert len([n for n in listing(storage_root) if n.startswith("sha256/")]) == 1
    assert file_verify(second)


def test_damaged_existing_blob_is_rewritten(ingest: Any, storage_root: Path) -> None:
    data = corpus.pdf(text="heal")
    first = ingest("a.pdf", data)
    (storage_root / first.storage_name).write_bytes(b"rot")
    assert not file_verify(first)
    ingest("b.pdf", data)
    assert file_verify(first)


def test_crash_while_writing_leaves_nothing(ingest: Any, storage_root: Path) -> None:
    def crash(src: IO[bytes], dst: IO[bytes]) -> None:
        dst.write(src.read(100))
        raise OSError("disk full")

    with (
        mock.patch.object(services, "_link", return_value=False),
        mock.patch.object(services, "_copy_chunks", crash),
        pytest.raises(FileRejected),
    ):
        ingest("a.pdf", corpus.pdf())
    assert listing(storage_root) == set()
    assert not StoredFile.objects.exists()


def test_bytes_that_do_not_verify_are_not_acknowledged(ingest: Any, storage_root: Path) -> None:
    real = services._copy_chunks

    def corrupt(src: IO[bytes], dst: IO[bytes]) -> None:
        real(src, dst)
        dst.write(b"!")

    with (
        mock.patch.object(services, "_link", return_value=False),
        mock.patch.object(services, "_copy_chunks", corrupt),
        pytest.raises(FileRejected),
    ):
        ingest("a.pdf", corpus.pdf())
    assert listing(storage_root) == set()
    assert not StoredFile.objects.exists()


def test_database_failure_after_storing_removes_the_bytes(ingest: Any, storage_root: Path) -> None:
    with mock.patch.object(services, "record", side_effect=RuntimeError("db down")), pytest.raises(RuntimeError):
        ingest("a.pdf", corpus.pdf())
    assert listing(storage_root) == set()
    assert not StoredFile.objects.exists()


def test_database_failure_keeps_bytes_another_row_uses(ingest: Any, storage_root: Path) -> None:
    data = corpus.pdf(text="shared")
    first = ingest("a.pdf", data)
    with mock.patch.object(services, "record", side_effect=RuntimeError("db down")), pytest.raises(RuntimeError):
        ingest("b.pdf", data)
    assert file_verify(first)
    assert StoredFile.objects.count() == 1


def test_chance_zip_and_html_bytes_inside_a_pdf_stream_are_accepted(ingest: Any) -> None:
    """Compressed streams contain any byte sequence by chance; only a real ZIP directory (what a
    ZIP reader would open) makes a polyglot."""
    filler = b"PK\x03\x04" + b"\x00" * 5000 + b"PK\x05\x06" + b"\x00" * 30

    def add(document: Any) -> None:
        document.Root.Padding = document.make_stream(filler)

    stored = ingest("scan.pdf", corpus.pdf(extra=add, compress_streams=False))
    assert stored.content_type == "application/pdf"


def test_png_exif_and_icc_are_dropped(ingest: Any) -> None:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (25.0, 2.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", exif=exif.tobytes(), icc_profile=b"fake-icc-profile")
    with Image.open(io.BytesIO(out.getvalue())) as original:
        assert original.getexif().get_ifd(0x8825)
    stored = ingest("map.png", out.getvalue())
    with file_open(stored) as fh, Image.open(fh) as img:
        assert not img.getexif().get_ifd(0x8825)
        assert "icc_profile" not in img.info


def test_phone_mpo_photo_is_accepted_as_jpeg(ingest: Any) -> None:
    out = io.BytesIO()
    first, second = Image.new("RGB", (30, 20), (1, 2, 3)), Image.new("RGB", (30, 20), (9, 9, 9))
    first.save(out, "MPO", save_all=True, append_images=[second])
    stored = ingest("IMG_0001.JPG", out.getvalue())
    assert stored.content_type == "image/jpeg"
    with file_open(stored) as fh, Image.open(fh) as img:
        assert img.format == "JPEG"


def test_delete_removes_bytes_only_when_no_row_needs_them(
    ingest: Any, storage_root: Path, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from licheng.audit.services import Actor
    from licheng.files.services import file_delete

    data = corpus.pdf(text="delete me")
    with django_capture_on_commit_callbacks(execute=True):
        first = ingest("a.pdf", data)
        second = ingest("b.pdf", data)
    second.refresh_from_db()
    assert second.preview_name
    actor = Actor(user=personas.student_user)
    with django_capture_on_commit_callbacks(execute=True):
        file_delete(actor=actor, stored_file=first)
    assert listing(storage_root) == {second.storage_name, second.preview_name}
    with django_capture_on_commit_callbacks(execute=True):
        file_delete(actor=actor, stored_file=second)
    assert listing(storage_root) == set()
    assert AuditEntry.objects.filter(action="file.delete").count() == 2


def test_a_refusal_names_the_file_type_not_its_mime_type(ingest: Any) -> None:
    """A Word document or a GIF renamed to .pdf is refused in words, never with a MIME type."""
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with translation.override("en"), pytest.raises(FileRejected) as refused:
        ingest("report.pdf", gif.getvalue())
    assert "it looks like GIF" in refused.value.message
    assert "image/" not in refused.value.message
    with translation.override("en"), pytest.raises(FileRejected) as refused:
        ingest("notes.pdf", b"just some words, not a PDF at all\n" * 20)
    assert "it looks like a text file" in refused.value.message and "text/plain" not in refused.value.message
