from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def storage_root(settings: Any, tmp_path: Path) -> Path:
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
