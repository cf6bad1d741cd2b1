"""GET /healthz: 200 when the database answers and storage is writable, 503 otherwise."""

from __future__ import annotations

from unittest import mock

from django.test import Client


def test_healthy(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "storage": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_storage_unwritable(db: None) -> None:
    with mock.patch("licheng.core.health.default_storage.save", side_effect=PermissionError("read-only")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["storage"].startswith("error")
    assert "read-only" not in body["storage"]  # the class name only, no details


def test_storage_on_read_only_folder(db: None, settings: object, tmp_path: object) -> None:
    import os

    folder = tmp_path / "files"  # type: ignore[operator]
    folder.mkdir()
    folder.chmod(0o500)
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}},
    }
    try:
        if os.access(folder, os.W_OK):  # root ignores permissions: fall back to a file in the way
            folder.chmod(0o700)
            (folder / ".healthz").write_text("not a folder")
        response = Client().get("/healthz")
    finally:
        folder.chmod(0o700)
    assert response.status_code == 503
    assert response.json()["storage"].startswith("error")


def test_database_down(db: None) -> None:
    broken = mock.MagicMock()
    broken.cursor.side_effect = RuntimeError("connection refused")
    with mock.patch("licheng.core.health.connection", broken):
        response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "error: RuntimeError"
    assert body["storage"] == "ok"


def test_only_get(db: None) -> None:
    assert Client().post("/healthz").status_code == 405
