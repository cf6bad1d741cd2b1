"""Content inspection for uploads: pure functions over a file on disk. Each returns the normalised
result or raises ``FileRejected`` with a message the uploader can act on.

The type is decided by the bytes (libmagic), never by the name; the name's extension must agree.
"""

from __future__ import annotations

import dataclasses
import os
import re
import struct
import tempfile
import unicodedata
import warnings
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from licheng.core.errors import ServiceError

MAX_NAME_CHARS = 120
# Decompression-bomb guard: a 4 MB image may not claim more pixels than a 48-megapixel photo.
MAX_IMAGE_PIXELS = 48_000_000
PREVIEW_WIDTH = 800


class FileRejected(ServiceError):
    """An upload refused for a reason the uploader can fix; nothing of it is kept."""

    def __init__(self, message: str, *, field: str | None = "file") -> None:
        super().__init__(message, field=field)


class StorageUnavailable(FileRejected):
    """File storage (the object store) could not be reached: nothing was saved, try again later."""

    status = 503
    retry_after = 30


# extension → content type it must have
EXTENSIONS: dict[str, str] = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "mp3": "audio/mpeg",
    "mp4": "video/mp4",
}
# content type → kind
KINDS: dict[str, str] = {
    "application/pdf": "document",
    "image/jpeg": "document",
    "image/png": "document",
    "audio/mpeg": "media",
    "video/mp4": "media",
}
# libmagic's other spellings of the same types
ALIASES: dict[str, str] = {
    "audio/mp3": "audio/mpeg",
    "audio/x-mp3": "audio/mpeg",
    "audio/x-mpeg": "audio/mpeg",
    "image/pjpeg": "image/jpeg",
    "application/x-pdf": "application/pdf",
}
# the name shown in messages for each type
TYPE_LABELS: dict[str, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "audio/mpeg": "MP3",
    "video/mp4": "MP4",
}


# Names for kinds of file people try to upload that are not accepted, so that a refusal names a
# type ("a Word document") rather than a MIME type.
OTHER_TYPE_NAMES: dict[str, str] = {
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/zip": "ZIP",
    "application/x-rar": "RAR",
    "application/x-7z-compressed": "7z",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "image/heic": "HEIC",
    "image/heif": "HEIF",
    "image/bmp": "BMP",
    "image/tiff": "TIFF",
    "image/svg+xml": "SVG",
    "video/quicktime": "MOV",
    "video/x-msvideo": "AVI",
    "video/webm": "WebM",
    "audio/x-wav": "WAV",
    "audio/wav": "WAV",
    "audio/x-m4a": "M4A",
    "audio/mp4": "M4A",
    "text/html": "HTML",
}


def type_name(content_type: str) -> str:
    """What to call a file's type in a message: PDF, JPEG, Word, HEIC …, else in words."""
    if content_type in TYPE_LABELS:
        return TYPE_LABELS[content_type]
    if content_type in OTHER_TYPE_NAMES:
        return OTHER_TYPE_NAMES[content_type]
    if content_type.startswith("text/"):
        return str(_("a text file"))
    if content_type.startswith("image/"):
        return str(_("another kind of image"))
    return str(_("another kind of file"))


@dataclasses.dataclass
class Inspected:
    """What the checks learned about an upload, and where the bytes to store are."""

    name: str
    content_type: str
    kind: str
    path: str
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    made_files: list[str] = dataclasses.field(default_factory=list)
    """Temporary files the checks created (re-encoded images); the caller deletes them."""


# --- names ----------------------------------------------------------------------------------------

_UNSAFE_CHARS = re.compile(r'[<>:"|?*]')


def safe_name(name: str) -> str:
    """The name without folders, control characters or characters that trouble file systems, at
    most 120 characters, keeping the extension. Raises when nothing usable is left."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # Cc, Cf, Cs, Co, Cn
    name = _UNSAFE_CHARS.sub("_", name).strip().lstrip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext.lower()[:10]
    stem = stem.strip() or "file"
    if not ext:
        raise FileRejected(_("The file name has no extension (such as .pdf or .jpg)."))
    keep = MAX_NAME_CHARS - len(ext) - 1
    return f"{stem[:keep].rstrip()}.{ext}"


def extension_of(name: str) -> str:
    return name.rpartition(".")[2].lower()


# --- type -----------------------------------------------------------------------------------------


def allowed_label(kinds: tuple[str, ...] | list[str]) -> str:
    exts = [ext for ext, ctype in EXTENSIONS.items() if KINDS[ctype] in kinds and ext != "jpeg"]
    return ", ".join(exts)


# libmagic decides every allowed type (PDF, JPEG, PNG, MP3, MP4) from the first bytes; reading the
# head instead of the whole file saves it scanning megabytes of image data on every upload. The
# rest of the file is checked by the per-type checks below (structure, polyglots, active content).
SNIFF_BYTES = 256 * 1024


def sniff(path: str) -> str:
    import magic

    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    detected = magic.from_buffer(head, mime=True)
    return ALIASES.get(detected, detected)


def check_type(*, name: str, path: str, size: int, kinds: tuple[str, ...] | list[str]) -> tuple[str, str]:
    """(content type, kind) of the file, from its content, matching its extension and an allowed kind."""
    if size == 0:
        raise FileRejected(_("The file is empty (0 bytes)."))
    ext = extension_of(name)
    expected = EXTENSIONS.get(ext)
    if expected is None or KINDS[expected] not in kinds:
        raise FileRejected(
            _("Files of type .%(ext)s are not accepted here. Accepted: %(allowed)s.")
            % {"ext": ext, "allowed": allowed_label(kinds)}
        )
    actual = sniff(path)
    if actual != expected:
        label = TYPE_LABELS.get(actual)
        if label is None:
            message = _(
                "The file's content is not a %(expected)s file (it looks like %(actual)s), although its name "
                "ends in .%(ext)s."
            ) % {"expected": TYPE_LABELS[expected], "actual": type_name(actual), "ext": ext}
        else:
            message = _(
                "The file's content is a %(actual)s file, but its name ends in .%(ext)s. Rename it to match "
                "its content."
            ) % {"actual": label, "ext": ext}
        raise FileRejected(message)
    return expected, KINDS[expected]


def check_size(*, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise FileRejected(
            _("The file is %(size)s (%(bytes)s bytes); the limit is %(limit)s (%(limit_bytes)s bytes).")
            % {
                "size": human_size(size),
                "bytes": f"{size:,}",
                "limit": human_size(max_bytes),
                "limit_bytes": f"{max_bytes:,}",
            }
        )


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        mb = size / (1024 * 1024)
        return f"{mb:.0f} MB" if size % (1024 * 1024) == 0 else f"{mb:.2f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return _("%(n)d bytes") % {"n": size}


# --- PDF ------------------------------------------------------------------------------------------

_HTML_MARKERS = (b"<html", b"<!doctype", b"<script", b"<body", b"<svg", b"<iframe", b"<head", b"<?xml")
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EmbeddedFile", "/Launch", "/XFA", "/RichMedia"}
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute"}


def check_pdf_bytes(path: str) -> None:
    """Polyglots: a PDF must start with ``%PDF-`` and hold no ZIP archive or HTML."""
    html = _("The PDF file also contains web page (HTML) code and is not accepted.")
    with open(path, "rb") as fh:
        head = fh.read(4096)
        if not head.startswith(b"%PDF-"):
            raise FileRejected(_("The file does not start like a PDF file; it may be another kind of file."))
        if _has_zip_directory(fh, os.path.getsize(path)):
            raise FileRejected(_("The PDF file also contains a ZIP archive and is not accepted."))
        if any(marker in head.lower() for marker in _HTML_MARKERS):
            raise FileRejected(html)
        fh.seek(max(0, os.path.getsize(path) - 2048))
        if any(marker in fh.read().lower() for marker in _HTML_MARKERS):
            raise FileRejected(html)


def _has_zip_directory(fh: IO[bytes], size: int) -> bool:
    """Would a ZIP reader open this file? ZIP readers look for the end-of-central-directory record
    in the last 64 KB and follow it to the central directory; a chance ``PK`` in compressed data
    does not make a file a ZIP, a real directory does."""
    start = max(0, size - (65_535 + 22))
    fh.seek(start)
    tail = fh.read()
    pos = tail.rfind(b"PK\x05\x06")
    while pos != -1:
        record = tail[pos : pos + 22]
        if len(record) == 22:
            _sig, _disk, _cd_disk, _n_disk, entries, cd_size, _cd_offset, _comment = struct.unpack("<IHHHHIIH", record)
            cd_start = start + pos - cd_size
            if entries and cd_size and cd_start >= 0:
                fh.seek(cd_start)
                if fh.read(4) == b"PK\x01\x02":
                    return True
        pos = tail.rfind(b"PK\x05\x06", 0, pos)
    return False


def _active_content(pdf: Any) -> str | None:
    """The first key or action that would run code or carry other files, else None."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [pdf.trailer]
    stack.extend(pdf.objects)
    while stack:
        obj = stack.pop()
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            if obj.is_indirect:
                key = obj.objgen
                if key in seen:
                    continue
                seen.add(key)
            keys = set(obj.keys())
            found = keys & _ACTIVE_KEYS
            if found:
                return sorted(found)[0]
            action = obj.get("/S")
            if isinstance(action, pikepdf.Name) and str(action) in _ACTIVE_ACTIONS:
                return str(action)
            for k in keys:
                if isinstance(obj, pikepdf.Stream) and k in ("/Length", "/Filter", "/DecodeParms"):
                    continue
                value = obj.get(k)
                if isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)):
                    stack.append(value)
        elif isinstance(obj, pikepdf.Array):
            if obj.is_indirect:
                key = obj.objgen
                if key in seen:
                    continue
                seen.add(key)
            stack.extend(v for v in obj if isinstance(v, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)))
    return None


def check_pdf(path: str) -> None:
    """Reject encrypted, damaged and active (JavaScript, launch, embedded files) PDFs."""
    import pikepdf

    check_pdf_bytes(path)
    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted:
                raise FileRejected(_("The PDF file is encrypted or password-protected. Save it without a password."))
            if len(pdf.pages) == 0:
                raise FileRejected(_("The PDF file has no pages."))
            active = _active_content(pdf)
            if pdf.get_warnings():
                raise FileRejected(_("The PDF file is damaged or incomplete. Export it again and retry."))
            if active is not None:
                raise FileRejected(
                    _("The PDF file contains scripts, actions or attached files (%(what)s), which are not allowed.")
                    % {"what": active.lstrip("/")}
                )
    except FileRejected:
        raise
    except pikepdf.PasswordError:
        raise FileRejected(_("The PDF file is encrypted or password-protected. Save it without a password.")) from None
    except (pikepdf.PdfError, RecursionError, ValueError, KeyError):
        raise FileRejected(_("The PDF file is damaged or incomplete. Export it again and retry.")) from None


# --- images ---------------------------------------------------------------------------------------


def reencode_image(path: str, content_type: str) -> tuple[str, int, int]:
    """Decode, apply the EXIF orientation and save again without any metadata (EXIF with GPS, XMP,
    ICC text, comments). Returns (path of the new file, width, height); the caller deletes it."""
    from PIL import Image, ImageOps

    damaged = _("The image is damaged or not a real %(type)s file.") % {"type": TYPE_LABELS[content_type]}
    expected_format = "JPEG" if content_type == "image/jpeg" else "PNG"
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        previous = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
        try:
            with Image.open(path) as probe:
                # Phones save photos with depth maps as MPO: a JPEG whose first picture is the photo.
                if probe.format != expected_format and not (expected_format == "JPEG" and probe.format == "MPO"):
                    raise FileRejected(damaged)
                probe.verify()
            with Image.open(path) as img:
                img.load()
                image = ImageOps.exif_transpose(img) or img
                image.info = {}  # no EXIF, XMP, ICC profile or text chunks travel to the new file
                fd, out = tempfile.mkstemp(suffix="." + expected_format.lower(), prefix="licheng-img-")
                os.close(fd)
                try:
                    if expected_format == "JPEG":
                        if image.mode not in ("RGB", "L"):
                            image = image.convert("RGB")
                        image.save(out, "JPEG", quality=90, optimize=True)
                    else:
                        if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
                            image = image.convert("RGBA")
                        image.save(out, "PNG", optimize=True)
                except BaseException:
                    Path(out).unlink(missing_ok=True)
                    raise
                return out, image.width, image.height
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise FileRejected(_("The image has too many pixels. Make it smaller and retry.")) from None
        except FileRejected:
            raise
        except (OSError, SyntaxError, ValueError, TypeError, EOFError):
            raise FileRejected(damaged) from None
        finally:
            Image.MAX_IMAGE_PIXELS = previous


# --- audio and video ------------------------------------------------------------------------------


def media_duration(path: str, content_type: str) -> float:
    """Probe the container; a file that does not parse or has no duration is refused."""
    import mutagen
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4

    label = TYPE_LABELS[content_type]
    try:
        media = MP3(path) if content_type == "audio/mpeg" else MP4(path)
        length = float(getattr(media.info, "length", 0) or 0)
    except (mutagen.MutagenError, OSError, ValueError, struct.error, ZeroDivisionError, IndexError):
        raise FileRejected(_("The %(type)s file is damaged or cannot be played.") % {"type": label}) from None
    if not length > 0:
        raise FileRejected(_("The %(type)s file has no playable length.") % {"type": label})
    return length


# --- all together ---------------------------------------------------------------------------------


def inspect(
    *, name: str, path: str, size: int, kinds: tuple[str, ...] | list[str], max_bytes: dict[str, int]
) -> Inspected:
    """Run every check for the file at ``path`` (uploaded as ``name``); ``max_bytes`` per kind."""
    clean_name = safe_name(name)
    content_type, kind = check_type(name=clean_name, path=path, size=size, kinds=kinds)
    check_size(size=size, max_bytes=max_bytes[kind])
    result = Inspected(name=clean_name, content_type=content_type, kind=kind, path=path)
    if content_type == "application/pdf":
        check_pdf(path)
    elif content_type.startswith("image/"):
        new_path, width, height = reencode_image(path, content_type)
        result.path, result.width, result.height = new_path, width, height
        result.made_files.append(new_path)
    else:
        result.duration_seconds = media_duration(path, content_type)
    return result
