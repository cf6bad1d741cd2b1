from __future__ import annotations

import dataclasses
import hashlib
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from licheng.audit.services import Actor
from licheng.backups.tests.deployment import Deployment, checkpoint
from licheng.files.models import StoredFile
from licheng.files.services import file_ingest
from licheng.files.tests import corpus
from licheng.testing.personas import Personas


@dataclasses.dataclass
class Stores:
    primary: Path
    backup: Path

    def blob(self, stored: StoredFile) -> Path:
        return self.primary / stored.storage_name

    def backup_blobs(self) -> set[str]:
        root = self.backup / "blobs"
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}

    def backup_runs(self) -> list[str]:
        runs = self.backup / "runs"
        return sorted(p.name for p in runs.iterdir() if p.is_dir()) if runs.exists() else []


def local_storage(root: Path) -> dict[str, Any]:
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(root), "base_url": None, "file_permissions_mode": 0o600},
    }


@pytest.fixture
def stores(settings: Any, tmp_path: Path) -> Stores:
    """The primary storage and the backup location, each a fresh folder."""
    primary, backup = tmp_path / "files", tmp_path / "backups"
    primary.mkdir()
    settings.STORAGES = {**settings.STORAGES, "default": local_storage(primary), "backups": local_storage(backup)}
    return Stores(primary, backup)


@pytest.fixture
def ingest(personas: Personas, stores: Stores, django_capture_on_commit_callbacks: Any) -> Callable[..., StoredFile]:
    """Accept an upload as the student (a PDF with the given text by default); a PDF's preview is
    made at once, as the background job would after the commit."""

    def run(name: str = "essay.pdf", data: bytes | None = None, *, text: str = "Licheng") -> StoredFile:
        with django_capture_on_commit_callbacks(execute=True):
            stored = file_ingest(
                actor=Actor(user=personas.student_user),
                school=personas.school,
                upload=SimpleUploadedFile(name, data if data is not None else corpus.pdf(text=text)),
                document_max_bytes=corpus.LIMIT,
                media_max_bytes=10 * 1024 * 1024,
            )
        stored.refresh_from_db()
        return stored

    return run


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A SQLite file after ``migrate`` and nothing else, made once per test run and copied by each
    deployment that needs one (migrating takes longer than everything else these tests do)."""
    root = tmp_path_factory.mktemp("migrated")
    deployment = Deployment(root)
    deployment.manage("migrate", "--no-input", "-v", "0", timeout=600)
    checkpoint(deployment.database)
    yield deployment.database


@pytest.fixture
def deployment_factory(tmp_path: Path, empty_database: Path) -> Callable[[str], Deployment]:
    def make(name: str) -> Deployment:
        return Deployment(tmp_path / name, template=empty_database)

    return make


def run_ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
