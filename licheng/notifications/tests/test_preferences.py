"""Each person chooses their channels per category (page and API); the reminder setting refuses bad input."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from licheng.notifications.email import wants
from licheng.notifications.models import ReminderSettings
from licheng.notifications.services import notify
from licheng.testing.personas import Personas


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_preferences_page_and_api(personas: Personas) -> None:
    client = _client(personas.student_user)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "期限提醒" in page
    # Untick e-mail for reminders and in-app for announcements; leave the rest on.
    data = {
        f"{c}-{ch}": "on"
        for c in ("reminder", "result", "announcement", "help_request", "receipt", "general")
        for ch in ("in_app", "email")
    }
    del data["reminder-email"], data["announcement-in_app"]
    assert client.post(reverse("notifications:preferences"), data).status_code == 302
    assert not wants(personas.student_user, "reminder", "email")
    assert wants(personas.student_user, "reminder", "in_app")
    assert notify(user=personas.student_user, message="x", category="announcement") is None

    api = client.get(reverse("api-v1:notifications_preferences")).json()
    assert {k: v for k, v in next(r for r in api if r["category"] == "reminder").items() if k != "label"} == {
        "category": "reminder",
        "in_app": True,
        "email": False,
    }
    response = client.put(
        reverse("api-v1:notifications_preferences_set"),
        json.dumps({"categories": {"nonsense": {"email": False}}}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "未知的通知類別" in response.json()["detail"]


def test_reminder_setting_refuses_bad_input(personas: Personas) -> None:
    client = _client(personas.school_admin)
    url = reverse("notifications:reminder_settings")
    for bad in ("-1", "abc", "99"):
        response = client.post(url, {"days_before": bad})
        assert response.status_code == 400
    assert not ReminderSettings.objects.exists()
    assert client.post(url, {"days_before": "5"}).status_code == 302
    assert ReminderSettings.objects.get(school=personas.school).days_before == 5
    assert _client(personas.registry).post(url, {"days_before": "1"}).status_code == 403
