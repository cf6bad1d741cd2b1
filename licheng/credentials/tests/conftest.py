import pytest
from django.core.cache import cache

from licheng.core.tests.conftest import chromium, desktop_page, phone_page, screenshot_dir  # noqa: F401
from licheng.portfolio.tests.conftest import storage_root, world  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    """/verify/ counts checks per address and minute in the cache; each test starts from zero."""
    cache.clear()
