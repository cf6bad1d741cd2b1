from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from licheng.accounts.models import LoginFailure
from licheng.audit.models import AuditEntry
from licheng.testing.personas import PASSWORD, Personas

LOGIN = "/login/"


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1", **extra: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR=ip)


def fail(client: Client, username: str, times: int, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        response = attempt(client, username, "wrong-password", ip)
        assert response.status_code == 200


def test_login_page_is_in_traditional_chinese_with_reset_link(client: Client, db: None) -> None:
    response = client.get(LOGIN)
    body = response.content.decode()
    assert response.status_code == 200
    assert "登入" in body
    assert 'name="username"' in body and 'name="password"' in body
    assert reverse("password_reset") in body


def test_successful_login_goes_home_or_next_and_is_audited(client: Client, personas: Personas) -> None:
    response = attempt(client, "teacher", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert AuditEntry.objects.filter(action="account.login", actor=personas.subject_teacher).exists()
    client.logout()
    response = attempt(client, "teacher", PASSWORD, next="/school/")
    assert response["Location"] == "/school/"
    client.logout()
    response = attempt(client, "teacher", PASSWORD, next="https://evil.example/")
    assert response["Location"] == "/"


def test_wrong_password_shows_clear_message(client: Client, personas: Personas) -> None:
    response = attempt(client, "teacher", "nope")
    assert "帳號或密碼不正確" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_lock_the_account_even_for_the_right_password(client: Client, personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_MAX_FAILURES = 3
    fail(client, "teacher", 3)
    response = attempt(client, "teacher", PASSWORD)
    body = response.content.decode()
    assert response.status_code == 200
    assert "登入失敗次數過多" in body
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="account.lockout", object_id=str(personas.subject_teacher.pk)).exists()

    # Another account from another address is not affected.
    other = Client()
    assert attempt(other, "registry", PASSWORD, ip="10.0.0.2").status_code == 302

    # Once the failures are older than the window, the right password works again.
    LoginFailure.objects.update(
        at=timezone.now() - datetime.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES + 1)
    )
    assert attempt(client, "teacher", PASSWORD).status_code == 302


def test_failures_from_one_address_lock_that_address(client: Client, personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    for name in ("nobody1", "nobody2", "nobody3"):
        fail(client, name, 1, ip="10.9.9.9")
    assert "登入失敗次數過多" in attempt(client, "teacher", PASSWORD, ip="10.9.9.9").content.decode()
    assert attempt(Client(), "teacher", PASSWORD, ip="10.0.0.5").status_code == 302


def test_success_clears_the_accounts_failures(client: Client, personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_MAX_FAILURES = 3
    fail(client, "teacher", 2)
    assert attempt(client, "teacher", PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="teacher").exists()


def test_old_failures_are_pruned(client: Client, personas: Personas) -> None:
    LoginFailure.objects.create(username="old", ip_address="10.1.1.1")
    LoginFailure.objects.update(at=timezone.now() - datetime.timedelta(days=1))
    fail(client, "teacher", 1)
    assert not LoginFailure.objects.filter(username="old").exists()


def test_inactive_accounts_and_schools_cannot_log_in(client: Client, personas: Personas) -> None:
    personas.subject_teacher.is_active = False
    personas.subject_teacher.save()
    assert attempt(client, "teacher", PASSWORD).status_code == 200
    personas.school.is_active = False
    personas.school.save()
    response = attempt(client, "registry", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "學校" in response.content.decode()


def test_a_signed_in_person_whose_account_is_closed_is_signed_out(client: Client, personas: Personas) -> None:
    attempt(client, "teacher", PASSWORD)
    assert client.get("/").status_code == 200
    personas.subject_teacher.is_active = False
    personas.subject_teacher.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_initial_password_sends_to_password_change_first(client: Client, personas: Personas) -> None:
    personas.subject_teacher.must_change_password = True
    personas.subject_teacher.save()
    response = attempt(client, "teacher", PASSWORD, next="/school/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("password_change"))
    assert "next=%2Fschool%2F" in response["Location"]


def test_middleware_keeps_initial_password_users_on_the_change_page(
    client: Client, personas: Personas, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "licheng.accounts.middleware.PasswordChangeRequiredMiddleware"]
    personas.subject_teacher.must_change_password = True
    personas.subject_teacher.save()
    client.force_login(personas.subject_teacher)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("password_change"))
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-Secret-2026",
            "new_password2": "a-new-Secret-2026",
            "next": "/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_session_expires_after_thirty_idle_minutes_sliding(client: Client, personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.sessions.models import Session

    from licheng import settings as real_settings
    from licheng.accounts.sessions import RENEWED_AT_KEY

    assert real_settings.SESSION_COOKIE_AGE == 30 * 60
    cookie = settings.SESSION_COOKIE_NAME
    response = attempt(client, "teacher", PASSWORD)
    assert response.cookies[cookie]["max-age"] == 30 * 60
    assert client.session.get_expiry_age() == 30 * 60

    def expiry() -> datetime.datetime:
        return Session.objects.get(session_key=client.session.session_key).expire_date

    renewed = expiry()
    assert renewed > timezone.now() + datetime.timedelta(minutes=29)

    # Another request within the minute: no write, the session still ends 30 minutes after the renewal.
    response = client.get("/")
    assert response.status_code == 200 and cookie not in response.cookies
    assert expiry() == renewed

    # A request more than a minute after the last renewal slides the session again.
    session = client.session
    session[RENEWED_AT_KEY] -= 61
    session.save()
    Session.objects.filter(session_key=session.session_key).update(expire_date=renewed - datetime.timedelta(seconds=61))
    response = client.get("/")
    assert response.cookies[cookie]["max-age"] == 30 * 60
    assert expiry() > renewed - datetime.timedelta(seconds=1)

    # Idle past the end: the session is gone and the next request asks to log in again.
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now())
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_visitor_who_does_not_log_in_gets_no_session(client: Client, db: None, settings) -> None:  # type: ignore[no-untyped-def]
    response = client.get(LOGIN)
    assert response.status_code == 200 and settings.SESSION_COOKIE_NAME not in response.cookies


def test_argon2_is_the_first_password_hasher() -> None:
    from licheng import settings as real_settings

    assert real_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize("username", ["", " "])
def test_empty_form_is_refused(client: Client, db: None, username: str) -> None:
    response = client.post(LOGIN, {"username": username, "password": ""})
    assert response.status_code == 200
    assert not LoginFailure.objects.exists()
