"""Serving stored files (helpers for other apps' permission-checked views) and the files status page."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from typing import IO

from django.core.files.storage import default_storage
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from licheng.core.permissions import school_view
from licheng.files import clamav
from licheng.files.models import FileKind, StoredFile
from licheng.files.selectors import files_visible_to
from licheng.files.services import file_open


def content_disposition(disposition: str, name: str) -> str:
    """``inline|attachment; filename="ascii fallback"; filename*=UTF-8''<percent-encoded>`` (RFC 6266/5987)."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%;' else "_" for ch in name) or "file"
    encoded = urllib.parse.quote(name, safe="")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _protect(response: HttpResponseBase, *, inline: bool, content_type: str) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if inline:
        # Nothing inside the file may run or load anything. Browsers refuse to show PDFs in a
        # sandboxed document, so PDFs get the same policy without the sandbox (they carry no scripts:
        # uploads with JavaScript are refused).
        policy = "default-src 'none'" if content_type == "application/pdf" else "default-src 'none'; sandbox"
        response["Content-Security-Policy"] = policy
    return response  # type: ignore[return-value]


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) of a single ``Range: bytes=a-b`` request; None to send the whole file."""
    match = _RANGE.match(header.strip())
    if not match or size == 0:
        return None
    first_text, last_text = match.groups()
    if first_text:
        first = int(first_text)
        last = min(int(last_text), size - 1) if last_text else size - 1
    elif last_text:  # the last N bytes
        first, last = max(0, size - int(last_text)), size - 1
    else:
        return None
    if first > last or first >= size:
        return None
    return first, last


def _slice(handle: IO[bytes], first: int, last: int) -> Iterator[bytes]:
    try:
        handle.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            chunk = handle.read(min(64 * 1024, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def file_response(
    request: HttpRequest, stored_file: StoredFile, *, inline: bool = True, download_name: str | None = None
) -> HttpResponse:
    """Stream a stored file. The caller has already checked that ``request.user`` may see it.
    A single byte range (``Range: bytes=a-b``) is answered with 206, so players can seek."""
    try:
        handle = file_open(stored_file)
    except FileNotFoundError:
        raise Http404 from None
    wanted = _byte_range(request.headers.get("Range", ""), stored_file.size)
    response: HttpResponseBase
    if wanted is None:
        response = FileResponse(handle, content_type=stored_file.content_type)
        response["Content-Length"] = str(stored_file.size)
    else:
        first, last = wanted
        response = StreamingHttpResponse(_slice(handle, first, last), status=206, content_type=stored_file.content_type)
        response["Content-Range"] = f"bytes {first}-{last}/{stored_file.size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition(
        "inline" if inline else "attachment", download_name or stored_file.original_name
    )
    return _protect(response, inline=inline, content_type=stored_file.content_type)


def preview_response(request: HttpRequest, stored_file: StoredFile) -> HttpResponse:
    """The preview PNG; 404 while the background job has not made it (or there is none)."""
    if not stored_file.preview_name:
        raise Http404
    try:
        handle = default_storage.open(stored_file.preview_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/png")
    stem = stored_file.original_name.rpartition(".")[0] or stored_file.original_name
    response["Content-Disposition"] = content_disposition("inline", f"{stem}.png")
    return _protect(response, inline=True, content_type="image/png")


@school_view()
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """A file for its uploader, or for staff who see every student; ``?download=1`` saves it."""
    stored = get_object_or_404(files_visible_to(request.user, request.school), pk=pk)  # type: ignore[arg-type,attr-defined]
    return file_response(request, stored, inline=request.GET.get("download") != "1")


@school_view("school.manage_settings")
def status(request: HttpRequest) -> HttpResponse:
    """For school admins: is virus scanning on, and how much is stored."""
    school = request.school  # type: ignore[attr-defined]
    # one query: counts and total size of this school's files
    totals = StoredFile.objects.filter(school=school).aggregate(
        files=Count("id"),
        total_bytes=Sum("size"),
        documents=Count("id", filter=Q(kind=FileKind.DOCUMENT)),
        without_preview=Count("id", filter=Q(kind=FileKind.DOCUMENT, preview_name="")),
        scanned=Count("id", filter=~Q(scan_status="not_scanned")),
    )
    address = clamav.scanner_address()
    reachable = clamav.ping(address) if address is not None else None
    return render(
        request,
        "files/status.html",
        {
            "totals": totals,
            "total_size": _size(totals["total_bytes"] or 0),
            "scanner": clamav.describe(address) if address is not None else "",
            "reachable": reachable,
        },
    )


def _size(size: int) -> str:
    from licheng.files.checks import human_size

    return human_size(size) if size else _("none")
