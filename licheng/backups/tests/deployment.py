"""A throw-away deployment in a temporary folder: its own SQLite file, storage folder and backup
folder, driven through ``manage.py`` and short Python scripts in subprocesses (so each has its own
settings, exactly as an operator's machine would)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
FIELD_KEY = "S2V5Rm9yVGVzdHNPbmx5X19fX19fX19fX19fX19fXzA="
# Settings a test run may have set that must not leak into the subprocess.
CLEARED = (
    "DATABASE_URL",
    "LICHENG_STORAGE_DIR",
    "LICHENG_BACKUP_DIR",
    "LICHENG_S3_BUCKET",
    "LICHENG_BACKUP_S3_BUCKET",
    "LICHENG_CLAMAV_SOCKET",
    "LICHENG_CLAMAV_HOST",
)


class Deployment:
    def __init__(self, root: Path, *, template: Path | None = None, extra_env: dict[str, str] | None = None) -> None:
        self.root = root
        self.extra_env = extra_env or {}
        self.var = root / "var"
        self.var.mkdir(parents=True, exist_ok=True)
        self.database = self.var / "licheng.sqlite3"
        self.storage = self.var / "files"
        self.backups = self.var / "backups"
        if template is not None:
            shutil.copyfile(template, self.database)

    @property
    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in CLEARED}
        env.update(
            DJANGO_SETTINGS_MODULE="licheng.settings",
            LICHENG_VAR_DIR=str(self.var),
            DATABASE_URL=f"sqlite:///{self.database}",
            LICHENG_SECRET_KEY="test-secret-key-not-for-production-0123456789abcdef",
            LICHENG_FIELD_KEY=FIELD_KEY,
            LICHENG_TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
            PYTHONPATH=str(BASE_DIR),
        )
        env.update(self.extra_env)
        return env

    def manage(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def python(self, script: str, *args: str, timeout: float = 300) -> Any:
        """Run ``script`` with Django set up; it prints one JSON value on its last line."""
        code = "import django\ndjango.setup()\n" + script
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", code, *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"script failed:\n{result.stdout}\n{result.stderr}")
        return json.loads(result.stdout.strip().splitlines()[-1])


def checkpoint(database: Path) -> None:
    """Fold SQLite's write-ahead log into the main file, so copying that one file copies everything."""
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


# Prints every table's row count and, for every stored file, whether its bytes match its hash.
INVENTORY = """
import json
from django_scopes import scopes_disabled
from licheng.audit.services import verify_chains
from licheng.backups.dump import dumped_models
from licheng.backups.scrub import stored_names
from licheng.files.services import hash_stored, sha256_of_name
with scopes_disabled():
    tables = {m._meta.label_lower: m._base_manager.count() for m in dumped_models()}
    files = {name: hash_stored(name) == sha256_of_name(name) for name in stored_names()}
    checked, problems = verify_chains()
print(json.dumps({"tables": tables, "files": files, "audit_checked": checked, "audit_problems": len(problems)}))
"""

# Adds a few accepted uploads (PDFs with previews, a re-encoded image, a shared blob) through
# file_ingest, as students of the first demo school.
ADD_FILES = """
import json
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from licheng.audit.services import Actor
from licheng.files.services import file_ingest
from licheng.files.tests import corpus
from licheng.people.models import Student
names = []
with scopes_disabled():
    students = list(Student.objects.select_related("user", "school").order_by("pk")[:3])
    essay = corpus.pdf(text="Essay A")
    uploads = [("essay.pdf", essay), ("poster.png", corpus.png()), ("same.pdf", essay)]
    for student in students:
        for name, data in uploads:
            stored = file_ingest(
                actor=Actor(user=student.user),
                school=student.school,
                upload=SimpleUploadedFile(name, data),
                document_max_bytes=4 * 1024 * 1024,
                media_max_bytes=10 * 1024 * 1024,
            )
            names.append(stored.storage_name)
        # each student also gets a file of their own
        stored = file_ingest(
            actor=Actor(user=student.user),
            school=student.school,
            upload=SimpleUploadedFile("mine.pdf", corpus.pdf(text="Student " + student.student_number)),
            document_max_bytes=4 * 1024 * 1024,
            media_max_bytes=10 * 1024 * 1024,
        )
        names.append(stored.storage_name)
print(json.dumps(sorted(set(names))))
"""
