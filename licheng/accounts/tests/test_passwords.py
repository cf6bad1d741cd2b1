from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from licheng.audit.models import AuditEntry
from licheng.testing.personas import PASSWORD, Personas


def test_reset_email_is_sent_and_its_link_sets_a_new_password(
    client: Client, personas: Personas, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    teacher = personas.subject_teacher
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": teacher.email})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [teacher.email]
    assert "密碼" in message.subject
    link = re.search(r"https?://testserver(/\S+)", str(message.body))
    assert link is not None
    response = client.get(link.group(1))
    assert response.status_code == 302  # Django swaps the token for a session-held one
    form_url = response["Location"]
    response = client.post(form_url, {"new_password1": "Brand-new-pass-77", "new_password2": "Brand-new-pass-77"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_complete")
    assert AuditEntry.objects.filter(action="account.password_reset", actor=None).exists()
    assert client.post("/login/", {"username": "teacher", "password": "Brand-new-pass-77"}).status_code == 302
    # The link works once only.
    assert "不能再使用" in Client().get(link.group(1), follow=True).content.decode()


def test_unknown_address_gets_the_same_answer_and_no_mail(
    client: Client, personas: Personas, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_change_page(client: Client, personas: Personas) -> None:
    teacher = personas.subject_teacher
    teacher.must_change_password = True
    teacher.save()
    client.force_login(teacher)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "x-New-pass-2026", "new_password2": "x-New-pass-2026"},
    )
    assert response.status_code == 200 and "error" in response.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "x-New-pass-2026", "new_password2": "x-New-pass-2026"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    teacher.refresh_from_db()
    assert teacher.check_password("x-New-pass-2026") and not teacher.must_change_password
    assert client.get(reverse("password_change_done")).status_code == 200  # still logged in


def test_password_change_needs_login(client: Client, db: None) -> None:
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def _ask_reset(client: Client, email: str, capture) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        response = client.post(reverse("password_reset"), {"email": email})
    return response.status_code, response["Location"]


def test_reset_requests_are_throttled_per_address_and_per_account_with_the_same_answer(
    personas: Personas, django_capture_on_commit_callbacks, settings
) -> None:  # type: ignore[no-untyped-def]
    """Five requests in a second used to write five e-mails (issue 13, finding 9)."""
    settings.PASSWORD_RESET_MAX_PER_HOUR = 3
    teacher = personas.subject_teacher
    client = Client()
    answers = {_ask_reset(client, teacher.email, django_capture_on_commit_callbacks) for _ in range(5)}
    assert answers == {(302, reverse("password_reset_done"))}  # the same answer every time
    assert len(mail.outbox) == 3
    # Per account: the same person asking with the address written differently is still throttled.
    _ask_reset(client, teacher.email.upper(), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3
    # From another client address too: the limit belongs to the account, not to the machine.
    _ask_reset(Client(REMOTE_ADDR="10.9.9.9"), teacher.email, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3
    # An unknown address answers the same and is counted the same way.
    assert _ask_reset(client, "nobody@example.org", django_capture_on_commit_callbacks) == (
        302,
        reverse("password_reset_done"),
    )
    # Other people are not held up by someone else's limit.
    _ask_reset(client, personas.registry.email, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 4 and mail.outbox[-1].to == [personas.registry.email]
    assert AuditEntry.objects.filter(action="account.reset_throttled").count() == 4


def test_reset_requests_from_one_client_address_are_throttled(
    personas: Personas, django_capture_on_commit_callbacks, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_RESET_MAX_PER_ADDRESS = 2
    client = Client(REMOTE_ADDR="10.1.2.3")
    for user in (personas.subject_teacher, personas.registry, personas.other_teacher):
        _ask_reset(client, user.email, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[personas.subject_teacher.email], [personas.registry.email]]
