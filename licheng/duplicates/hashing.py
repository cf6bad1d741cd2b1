"""Computing perceptual hashes of stored files (images, and a PDF's first page rendered the way
the preview is)."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import imagehash
from PIL import Image

from licheng.duplicates.models import ContentHash
from licheng.files.models import StoredFile

logger = logging.getLogger(__name__)

HASHABLE = {"application/pdf", "image/png", "image/jpeg"}


def phash_of_image(path: str) -> str:
    """The hash, or "" for a picture with too little structure to compare (a blank or one-colour
    page hashes to nearly all zeros, and every blank page would look like every other)."""
    with Image.open(path) as image:
        value = str(imagehash.phash(image.convert("RGB")))
    return value if 4 <= int(value, 16).bit_count() <= 60 else ""


def remember(sha256: str, image_path: str) -> None:
    """Called with a rendered preview (``licheng.files.tasks.make_preview``)."""
    try:
        value = phash_of_image(image_path)
    except Exception:
        logger.warning("perceptual hash failed for %s", sha256, exc_info=True)
        return
    ContentHash.objects.update_or_create(sha256=sha256, defaults={"phash": value})


def ensure_hashes(files: list[StoredFile]) -> dict[str, str]:
    """sha256 → phash for ``files``, computing the missing ones now (the viewed item's few files)."""
    from licheng.files.services import file_open
    from licheng.files.tasks import render_preview

    wanted = {f.sha256: f for f in files if f.content_type in HASHABLE}
    known = dict(ContentHash.objects.filter(sha256__in=wanted).values_list("sha256", "phash"))
    for sha, stored in wanted.items():
        if sha in known:
            continue
        fd, src = tempfile.mkstemp(prefix="licheng-phash-src-")
        out_fd, out = tempfile.mkstemp(prefix="licheng-phash-", suffix=".png")
        os.close(out_fd)
        value = ""
        try:
            with os.fdopen(fd, "wb") as dst, file_open(stored) as fh:
                while chunk := fh.read(1024 * 1024):
                    dst.write(chunk)
            render_preview(src, stored.content_type, out)
            value = phash_of_image(out)
        except Exception:
            logger.warning("perceptual hash failed for %s", sha, exc_info=True)
        finally:
            Path(src).unlink(missing_ok=True)
            Path(out).unlink(missing_ok=True)
        ContentHash.objects.update_or_create(sha256=sha, defaults={"phash": value})
        known[sha] = value
    return {sha: value for sha, value in known.items() if value}


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
