"""The submission package as a ZIP, streamed: rosters, files under the names the rosters refer to,
and the SHA-256 manifest. Files are copied in chunks and stored uncompressed (documents and media
are compressed already), so memory stays flat however big the school is."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import IO

from django_scopes import scope

from licheng.files.services import file_open
from licheng.submissions.build import FILE_FOLDER, MANIFEST_NAME, ROSTER_FOLDER
from licheng.submissions.models import Submission, SubmittedFile, SubmittedRoster

CHUNK = 1024 * 1024


class _Pipe:
    """A write-only, non-seekable sink whose written bytes the generator hands on."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> int:
        if data:
            self.chunks.append(bytes(data))
            self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def drain(self) -> Iterator[bytes]:
        chunks, self.chunks = self.chunks, []
        yield from chunks


def package_entries(submission: Submission) -> Iterator[tuple[str, int, IO[bytes] | bytes]]:
    for roster in SubmittedRoster.objects.filter(submission=submission).select_related("stored_file"):
        yield f"{ROSTER_FOLDER}/{roster.file_name}", roster.stored_file.size, roster.stored_file  # type: ignore[misc]
    files = SubmittedFile.objects.filter(submission=submission).select_related("stored_file").order_by("name")
    for item in files.iterator(chunk_size=2000):
        yield f"{FILE_FOLDER}/{item.name}", item.size, item.stored_file  # type: ignore[misc]
    manifest = submission.manifest.encode()
    yield MANIFEST_NAME, len(manifest), manifest


def stream_package(submission: Submission) -> Iterator[bytes]:
    """The ZIP's bytes. Runs inside the school's scope itself: a streamed response is read after
    the request's middleware has left it."""
    with scope(school=submission.school):
        yield from _stream(submission)


def _stream(submission: Submission) -> Iterator[bytes]:
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:  # type: ignore[call-overload]
        for name, size, source in package_entries(submission):
            info = zipfile.ZipInfo(name, date_time=submission.created_at.timetuple()[:6])
            info.file_size = size
            info.compress_type = zipfile.ZIP_STORED
            with archive.open(info, "w", force_zip64=size > 0x7FFFFFFF) as target:
                if isinstance(source, bytes):
                    target.write(source)
                else:
                    with file_open(source) as handle:  # type: ignore[arg-type]
                        while chunk := handle.read(CHUNK):
                            target.write(chunk)
                            yield from pipe.drain()
            yield from pipe.drain()
    yield from pipe.drain()
