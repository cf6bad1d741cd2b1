from licheng.portfolio.tests.conftest import storage_root  # noqa: F401
