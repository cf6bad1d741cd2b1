from licheng.core.tests.conftest import chromium, desktop_page, phone_page, screenshot_dir  # noqa: F401
from licheng.portfolio.tests.conftest import storage_root, world  # noqa: F401
