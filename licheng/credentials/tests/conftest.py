from licheng.portfolio.tests.conftest import storage_root, world  # noqa: F401
