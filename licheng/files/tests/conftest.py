from __future__ import annotations

import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from licheng.audit.services import Actor
from licheng.files.models import StoredFile
from licheng.files.services import file_ingest
from licheng.files.tests import corpus
from licheng.testing.personas import Personas


@pytest.fixture
def storage_root(settings: Any, tmp_path: Path) -> Path:
    """Private storage in a fresh folder for each test."""
    root = tmp_path / "files"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None, "file_permissions_mode": 0o600},
        },
    }
    return root


def listing(root: Path) -> set[str]:
    """Every file under ``root`` (hidden temporary ones included)."""
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def temp_leftovers() -> set[str]:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith(("licheng-img-", "licheng-upload-"))}


@pytest.fixture
def ingest(personas: Personas, storage_root: Path) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    def run(name: str, data: bytes, **kwargs: Any) -> StoredFile:
        kwargs.setdefault("document_max_bytes", corpus.LIMIT)
        kwargs.setdefault("media_max_bytes", 10 * 1024 * 1024)
        return file_ingest(
            actor=Actor(user=personas.student_user, ip_address="192.0.2.1"),
            school=personas.school,
            upload=SimpleUploadedFile(name, data),
            **kwargs,
        )

    return run


class FakeClamd:
    """A clamd speaking just enough of the protocol: PING and INSTREAM."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(8)
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                self.handle(conn)

    def handle(self, conn: socket.socket) -> None:
        def read(n: int) -> bytes:
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    raise EOFError
                data += chunk
            return data

        command = b""
        while not command.endswith(b"\0"):
            command += read(1)
        if command == b"zPING\0":
            conn.sendall(b"PONG\0")
            return
        assert command == b"zINSTREAM\0", command
        body = b""
        while True:
            length = int.from_bytes(read(4), "big")
            if length == 0:
                break
            body += read(length)
        self.received.append(body)
        if corpus.EICAR in body:
            conn.sendall(b"stream: Eicar-Signature FOUND\0")
        else:
            conn.sendall(b"stream: OK\0")

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def clamd(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClamd]:
    folder = tempfile.mkdtemp(prefix="licheng-clamd-")
    server = FakeClamd(os.path.join(folder, "clamd.sock"))
    monkeypatch.setenv("LICHENG_CLAMAV_SOCKET", server.path)
    yield server
    server.close()
    Path(server.path).unlink(missing_ok=True)
    os.rmdir(folder)
