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


def test_the_periodic_runner_sweeps_incoming_files_older_than_an_hour(
    storage_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A killed worker leaves its partial upload in ``.incoming``; the periodic runner (not an
    operator's cron) removes it after an hour, but never one still being written (issue 13,
    finding 10)."""
    import fcntl

    from licheng.core import periodic
    from licheng.files.services import incoming_dir

    incoming = Path(incoming_dir() or "")
    assert incoming == storage_root / ".incoming"
    two_hours_ago = time.time() - 2 * 3600
    leftover, young, writing = (incoming / f"{name}.upload" for name in ("leftover", "young", "writing"))
    for path in (leftover, young, writing):
        path.write_bytes(b"%PDF-1.7 partial")
    for path in (leftover, writing):
        os.utime(path, (two_hours_ago, two_hours_ago))
    # A stalled upload whose worker is alive holds its file locked.
    held = open(writing, "rb+")  # noqa: SIM115
    fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    jobs = [job for job in periodic.JOBS if job.name == "sweep_incoming_uploads"]
    assert jobs and jobs[0].every is not None and jobs[0].every <= periodic.datetime.timedelta(hours=1)
    monkeypatch.setattr("licheng.core.management.commands.periodic.JOBS", jobs)
    try:
        call_command("periodic", "--once", stdout=io.StringIO())
        assert not leftover.exists()
        assert young.exists() and writing.exists()
    finally:
        held.close()


def test_an_upload_in_progress_holds_its_incoming_file_locked(storage_root: Path) -> None:
    import fcntl

    from licheng.files.upload import HashedUploadedFile

    upload = HashedUploadedFile("a.pdf", "application/pdf", 0, None)
    try:
        with open(upload.temporary_file_path(), "rb") as other, pytest.raises(BlockingIOError):
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        upload.close()
