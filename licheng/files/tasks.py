"""Background work for files: previews (a PNG of a PDF's first page or a downscaled image).

Audio and video have no preview: the player streams the file itself.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from django_scopes import scopes_disabled
from django_tasks import task

from licheng.files.checks import PREVIEW_WIDTH

logger = logging.getLogger(__name__)


def render_preview(src_path: str, content_type: str, out_path: str) -> None:
    """Write a PNG preview of the file at ``src_path`` to ``out_path``, about 800 px wide."""
    from PIL import Image

    if content_type == "application/pdf":
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(src_path)
        try:
            page = document[0]
            width = page.get_width() or PREVIEW_WIDTH
            bitmap = page.render(scale=PREVIEW_WIDTH / width)
            image = bitmap.to_pil()
            if image.width != PREVIEW_WIDTH:  # rounding in the renderer
                image = image.resize((PREVIEW_WIDTH, round(image.height * PREVIEW_WIDTH / image.width)))
            image.save(out_path, "PNG", optimize=True)
            page.close()
        finally:
            document.close()
        return
    with Image.open(src_path) as opened:
        opened.thumbnail((PREVIEW_WIDTH, PREVIEW_WIDTH * 4))
        thumb: Image.Image = opened if opened.mode in ("RGB", "RGBA", "L", "LA", "P") else opened.convert("RGB")
        thumb.save(out_path, "PNG", optimize=True)


@task()
def make_preview(*, file_id: int) -> str:
    """Make the preview of one stored file (and of every row that shares its bytes). Safe to run
    twice. Returns the preview's storage name, or "" when there is none to make."""
    from licheng.duplicates.hashing import remember as remember_phash
    from licheng.files.models import StoredFile
    from licheng.files.services import file_open, store_blob

    with scopes_disabled():
        stored = StoredFile.objects.filter(pk=file_id).first()
        if stored is None or stored.kind != "document":
            return ""
        if stored.preview_name:
            return stored.preview_name
        fd, src = tempfile.mkstemp(prefix="licheng-preview-src-")
        out_fd, out = tempfile.mkstemp(prefix="licheng-preview-", suffix=".png")
        os.close(out_fd)
        try:
            with os.fdopen(fd, "wb") as dst, file_open(stored) as fh:
                while chunk := fh.read(1024 * 1024):
                    dst.write(chunk)
            render_preview(src, stored.content_type, out)
            remember_phash(stored.sha256, out)
            _sha, name, _wrote = store_blob(out)
        finally:
            Path(src).unlink(missing_ok=True)
            Path(out).unlink(missing_ok=True)
        StoredFile.objects.filter(sha256=stored.sha256, preview_name="").update(preview_name=name)
        return name


@task()
def sweep_incoming_uploads() -> int:
    """Remove partial uploads older than an hour that a killed worker left in ``.incoming`` (never
    one still being written). Run by the periodic runner every hour."""
    from licheng.files.services import sweep_incoming

    return len(sweep_incoming())
