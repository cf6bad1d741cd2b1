"""files_sweep removes bytes no row refers to, and only old ones."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from licheng.files.services import store_blob
from licheng.files.tests import corpus
from licheng.files.tests.conftest import listing

pytestmark = pytest.mark.django_db


def test_sweep_removes_only_old_unreferenced_bytes(ingest: Any, storage_root: Path, tmp_path: Path) -> None:
    kept = ingest("a.pdf", corpus.pdf(text="kept"))
    orphan_src = tmp_path / "orphan.pdf"
    orphan_src.write_bytes(corpus.pdf(text="orphan"))
    _sha, orphan, _wrote = store_blob(str(orphan_src))
    old = time.time() - 3 * 86400
    for name in listing(storage_root):
        os.utime(storage_root / name, (old, old))
    young_src = tmp_path / "young.pdf"
    young_src.write_bytes(corpus.pdf(text="young"))
    _sha, young, _wrote = store_blob(str(young_src))
    out = io.StringIO()
    call_command("files_sweep", stdout=out)
    assert listing(storage_root) == {kept.storage_name, young}
    assert "1 file(s) removed" in out.getvalue()
    assert orphan not in listing(storage_root)
