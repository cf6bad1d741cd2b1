"""The WSGI module gunicorn loads keeps what start-up loaded out of the garbage collector's full
collections (bench/bench_pages.py measures what that saves: a course list's slowest requests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = "import gc, licheng.wsgi; print(gc.get_freeze_count(), callable(licheng.wsgi.application))"


def test_a_worker_starts_with_its_start_up_objects_frozen(tmp_path: Path) -> None:
    env = {**os.environ, "LICHENG_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    # Django, every app and every view (the URLconf is imported first): over 100,000 objects here.
    assert int(out[-2]) > 50_000
    assert out[-1] == "True"
