"""Permission matrix rows for notifications: everyone signed in sees (and marks) only their own."""

from __future__ import annotations

from typing import Any

from licheng.tests.matrix_base import OK, Case, who

CASES = [
    Case("notifications:list", who(200, anonymous=302)),
    Case("notifications:mark_read", who(OK, anonymous=302), method="post"),
    Case("api-v1:notifications_list", who(200, anonymous=401)),
    Case("api-v1:notifications_mark_read", who(200, anonymous=401), method="post"),
]


def extend(world: Any) -> None:
    return None
