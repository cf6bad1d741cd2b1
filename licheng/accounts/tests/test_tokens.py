from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from licheng.accounts.models import ApiToken
from licheng.accounts.tokens import api_token_create
from licheng.audit.services import Actor
from licheng.testing.personas import Personas


def create_on_page(client: Client, name: str = "成績匯出") -> str:
    response = client.post(reverse("account_tokens"), {"name": name})
    assert response.status_code == 200
    match = re.search(r"lch_[A-Za-z0-9_\-]+", response.content.decode())
    assert match is not None
    return match.group(0)


def test_token_page_shows_the_raw_token_once_and_it_works_until_revoked(client: Client, personas: Personas) -> None:
    client.force_login(personas.subject_teacher)
    raw = create_on_page(client)
    assert raw not in client.get(reverse("account_tokens")).content.decode()  # never again

    api = Client()
    response = api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["username"] == "teacher"

    token = ApiToken.objects.get(user=personas.subject_teacher)
    assert token.last_used_at is not None
    response = client.post(reverse("account_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_cannot_revoke_someone_elses_token(client: Client, personas: Personas) -> None:
    token, _raw = api_token_create(actor=Actor(user=personas.registry), user=personas.registry, name="x")
    client.force_login(personas.subject_teacher)
    assert client.post(reverse("account_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_name_is_required(client: Client, personas: Personas) -> None:
    client.force_login(personas.subject_teacher)
    response = client.post(reverse("account_tokens"), {"name": ""})
    assert response.status_code == 200 and "lch_" not in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_list_query_count_does_not_grow(
    client: Client, personas: Personas, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.subject_teacher)
    for n in range(5):
        api_token_create(actor=Actor(user=personas.subject_teacher), user=personas.subject_teacher, name=f"t{n}")
    # session, user with school, roles, permissions, tokens; the first request after logging in
    # also renews the session (savepoint, update, release)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("account_tokens")).status_code == 200


def test_api_tokens_list_create_revoke(client: Client, personas: Personas) -> None:
    client.force_login(personas.subject_teacher)
    response = client.post("/api/v1/accounts/tokens", {"name": "script"}, content_type="application/json")
    assert response.status_code == 201
    raw, token_id = response.json()["token"], response.json()["id"]
    listed = client.get("/api/v1/accounts/tokens").json()
    assert [t["name"] for t in listed] == ["script"] and "token" not in listed[0]
    # A token cannot mint more tokens.
    bearer = Client()
    response = bearer.post(
        "/api/v1/accounts/tokens", {"name": "more"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 403
    assert client.delete(f"/api/v1/accounts/tokens/{token_id}").status_code == 204
    assert bearer.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.delete(f"/api/v1/accounts/tokens/{token_id}").status_code == 404


def test_api_import_status(client: Client, personas: Personas) -> None:
    from licheng.accounts.models import AccountImport
    from licheng.accounts.tests.test_import import student_row, upload, xlsx

    client.force_login(personas.registry)
    upload(client, xlsx([student_row("1149900", 3)]))
    pk = AccountImport.objects.latest("id").pk
    response = client.get(f"/api/v1/accounts/imports/{pk}")
    assert response.status_code == 200
    assert response.json()["status"] == "checked" and response.json()["rows"] == 1
    teacher = Client()
    teacher.force_login(personas.subject_teacher)
    assert teacher.get(f"/api/v1/accounts/imports/{pk}").status_code == 403
    outsider = Client()
    outsider.force_login(personas.outsider)
    assert outsider.get(f"/api/v1/accounts/imports/{pk}").status_code == 404
