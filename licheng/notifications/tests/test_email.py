"""``deliver``: through a real SMTP server on loopback, once per dedupe key, as each person chose."""

from __future__ import annotations

from licheng.notifications.email import deliver
from licheng.notifications.models import Delivery, DeliveryStatus, Preference
from licheng.notifications.tests.smtp import Received
from licheng.testing.personas import Personas


def test_delivers_once_per_key(personas: Personas, smtp_server: list[Received]) -> None:
    user = personas.student_user
    first = deliver(user=user, subject="收訖確認", body="請確認", dedupe_key="receipt:1:9", category="receipt")
    second = deliver(user=user, subject="收訖確認", body="請確認", dedupe_key="receipt:1:9", category="receipt")
    assert (first, second) == (True, False)
    assert len(smtp_server) == 1
    assert smtp_server[0].recipients == [user.email]
    assert "收訖確認" in smtp_server[0].subject
    assert "請確認" in smtp_server[0].body
    assert Delivery.objects.get(dedupe_key="receipt:1:9").status == DeliveryStatus.SENT


def test_no_address_or_opted_out_sends_nothing(personas: Personas, smtp_server: list[Received]) -> None:
    user = personas.student_user
    user.email = ""
    user.save()
    assert deliver(user=user, subject="s", body="b", dedupe_key="k1", category="general") is False
    user.email = "student@example.edu.tw"
    user.save()
    Preference.objects.create(school=personas.school, user=user, category="reminder", email=False)
    assert deliver(user=user, subject="s", body="b", dedupe_key="k2", category="reminder") is False
    assert deliver(user=user, subject="s", body="b", dedupe_key="k3", category="general") is True
    assert [m.recipients for m in smtp_server] == [["student@example.edu.tw"]]


def test_failed_server_is_retried_later(personas: Personas, settings: object, smtp_server: list[Received]) -> None:
    port = settings.EMAIL_PORT  # type: ignore[attr-defined]
    settings.EMAIL_PORT = 1  # type: ignore[attr-defined]  # nothing listens there
    user = personas.registry
    assert deliver(user=user, subject="s", body="b", dedupe_key="retry", category="general") is False
    assert Delivery.objects.get(dedupe_key="retry").status == DeliveryStatus.FAILED
    settings.EMAIL_PORT = port  # type: ignore[attr-defined]
    assert deliver(user=user, subject="s", body="b", dedupe_key="retry", category="general") is True
    assert deliver(user=user, subject="s", body="b", dedupe_key="retry", category="general") is False
    assert len(smtp_server) == 1
