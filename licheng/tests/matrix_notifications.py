"""Permission matrix rows for notifications: everyone signed in sees (and marks) only their own and
chooses their own channels; the reminder setting belongs to whoever manages reminders."""

from __future__ import annotations

from typing import Any

from licheng.tests.matrix_base import OK, Case, who

CASES = [
    Case("notifications:list", who(200, anonymous=302)),
    Case("notifications:mark_read", who(OK, anonymous=302), method="post"),
    Case("notifications:preferences", who(200, anonymous=302)),
    Case("notifications:reminder_settings", who(403, anonymous=302, school_admin=200, outsider=200)),
    Case("api-v1:notifications_list", who(200, anonymous=401)),
    Case("api-v1:notifications_mark_read", who(200, anonymous=401), method="post"),
    Case("api-v1:notifications_preferences", who(200, anonymous=401)),
    Case(
        "api-v1:notifications_preferences_set",
        who(200, anonymous=401),
        method="put",
        data=lambda w: {"categories": {"reminder": {"in_app": True, "email": False}}},
    ),
]


def extend(world: Any) -> None:
    return None
