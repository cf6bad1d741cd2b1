from licheng.notifications.tests.smtp import smtp_server  # noqa: F401 - a fixture
