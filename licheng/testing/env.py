"""Loaded by pytest before Django (``-p licheng.testing.env`` in pyproject.toml): tests never touch
the developer's data folder, run background tasks at once, and use fixed keys."""

import os
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licheng.settings")
os.environ["LICHENG_VAR_DIR"] = tempfile.mkdtemp(prefix="licheng-test-")
os.environ.setdefault("LICHENG_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("LICHENG_FIELD_KEY", "S2V5Rm9yVGVzdHNPbmx5X19fX19fX19fX19fX19fXzA=")
os.environ.setdefault("LICHENG_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.pop("LICHENG_EMAIL_HOST", None)
