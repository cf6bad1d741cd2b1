"""Bad answers from a provider: a forged or expired ID token, one for another client, a replayed
``state`` or ``nonce``, a provider that is down, claims without a school code or of another
school. Each ends on a clear page in the user's language with no session, nothing linked, an
audit entry, and a counted failure for the log-in throttle."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from jwcrypto import jwk

from licheng.accounts.models import ExternalIdentity, LoginFailure, SchoolSignOn
from licheng.accounts.tests.conftest import provider_config, sign_in
from licheng.accounts.tests.provider import Provider
from licheng.accounts.tests.rogue import Rogue, nonce_of, state_of
from licheng.audit.models import AuditEntry
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def _assert_refused(client: Client, response: Any, text: str, reason: str) -> None:
    assert response.status_code == 403
    assert text in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not ExternalIdentity.objects.exists()
    entry = AuditEntry.objects.filter(action="account.sso_refused").latest("at")
    assert entry.changes["reason"] == reason
    assert LoginFailure.objects.filter(username__startswith="sso:").exists()


@pytest.fixture
def rogue_cloud(rogue: Rogue, settings: Any, personas: Personas) -> Rogue:
    settings.OIDC_PROVIDERS = {"educloud": provider_config(rogue.issuer)}
    SchoolSignOn.objects.create(school=personas.school, providers=["educloud"], link_rule="student_number")
    personas.student.student_number = "S0001"
    personas.student.save()
    rogue.claims = {"sub": "rogue-sub", "school_code": "111111", "role": "student", "student_number": "S0001"}
    return rogue


def _callback(client: Client, rogue: Rogue, **claims: Any) -> Any:
    start = client.get("/sso/educloud/start/")
    assert start.status_code == 302
    rogue.claims["nonce"] = claims.pop("nonce", nonce_of(start["Location"]))
    rogue.claims.update(claims)
    return client.get("/sso/educloud/callback/", {"code": "abc", "state": state_of(start["Location"])})


def test_a_well_made_token_from_the_rogue_provider_would_be_accepted(rogue_cloud: Rogue) -> None:
    """The rogue provider itself works: only what each test below spoils is refused."""
    client = Client()
    response = _callback(client, rogue_cloud)
    assert response.status_code == 302 and response["Location"] == "/sso/link/"


def test_a_forged_id_token_is_refused(rogue_cloud: Rogue) -> None:
    rogue_cloud.signing_key = jwk.JWK.generate(kty="RSA", size=2048, kid="rogue-1")
    client = Client()
    response = _callback(client, rogue_cloud)
    _assert_refused(client, response, "無法驗證", "token")


def test_an_expired_id_token_is_refused(rogue_cloud: Rogue) -> None:
    client = Client()
    response = _callback(client, rogue_cloud, iat=1_700_000_000, exp=1_700_000_300)
    _assert_refused(client, response, "無法驗證", "token")


def test_an_id_token_for_another_client_is_refused(rogue_cloud: Rogue) -> None:
    client = Client()
    response = _callback(client, rogue_cloud, aud="someone-else")
    _assert_refused(client, response, "無法驗證", "token")


def test_an_id_token_with_a_replayed_nonce_is_refused(rogue_cloud: Rogue) -> None:
    client = Client()
    first = client.get("/sso/educloud/start/")
    response = _callback(client, rogue_cloud, nonce=nonce_of(first["Location"]))
    _assert_refused(client, response, "無法驗證", "token")


def test_a_replayed_state_is_refused(educloud: Provider, personas: Personas) -> None:
    client = Client()
    start = client.get("/sso/educloud/start/")
    from licheng.accounts.tests.conftest import ProviderBrowser

    callback = ProviderBrowser("cloud-student").authorize(start["Location"])
    assert client.get(callback)["Location"] == "/sso/link/"
    other = Client()
    response = other.get(callback)  # the same code and state, from another browser
    _assert_refused(other, response, "已使用過或已過期", "state")
    again = client.get(callback)  # and again in the first
    assert again.status_code == 403


def test_a_provider_that_is_down_is_named(settings: Any, personas: Personas) -> None:
    settings.OIDC_PROVIDERS = {"educloud": provider_config("http://127.0.0.1:9")}
    client = Client()
    response = client.get("/sso/educloud/start/")
    assert response.status_code == 403
    assert "教育雲端目前沒有回應" in response.content.decode()
    assert AuditEntry.objects.filter(action="account.sso_refused", changes__reason="unavailable").exists()


def test_claims_without_a_school_code_are_refused(educloud: Provider) -> None:
    client = Client()
    response = sign_in(client, "cloud-noschool")
    _assert_refused(client, response, "沒有說明你屬於哪所學校", "no_school_code")


def test_a_person_of_another_school_is_refused(educloud: Provider) -> None:
    client = Client()
    response = sign_in(client, "cloud-outsider")
    _assert_refused(client, response, "222222", "school_not_allowed")


def test_english_speakers_read_the_refusal_in_english(educloud: Provider) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = sign_in(client, "cloud-noschool")
    assert "did not say which school you belong to" in response.content.decode()


def test_failed_callbacks_lock_the_address(rogue_cloud: Rogue, settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    client = Client()
    for _ in range(3):
        assert _callback(client, rogue_cloud, aud="someone-else").status_code == 403
    del rogue_cloud.claims["aud"]
    response = _callback(client, rogue_cloud)
    assert response.status_code == 403
    assert "登入失敗次數過多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_token_signed_with_the_client_secret_is_refused(rogue_cloud: Rogue, settings: Any) -> None:
    """HS256 with the shared client secret (the algorithm-confusion forgery) is not accepted."""
    from jwcrypto.common import base64url_encode

    secret = "a-client-secret-of-thirty-two-bytes!"
    settings.OIDC_PROVIDERS = {"educloud": provider_config(rogue_cloud.issuer, client_secret=secret)}
    rogue_cloud.signing_key = jwk.JWK(kty="oct", k=base64url_encode(secret.encode()))
    rogue_cloud.header = {"alg": "HS256", "kid": "rogue-1"}
    client = Client()
    response = _callback(client, rogue_cloud)
    _assert_refused(client, response, "無法驗證", "token")


def test_discovery_and_keys_are_cached_then_fetched_again(rogue_cloud: Rogue, settings: Any) -> None:
    for _ in range(2):
        assert _callback(Client(), rogue_cloud).status_code == 302
    assert rogue_cloud.fetches.count("/.well-known/openid-configuration") == 1
    assert rogue_cloud.fetches.count("/jwks") == 1

    # The provider rotates its key: a token naming the new key sends for the key set again.
    rogue_cloud.key = jwk.JWK.generate(kty="RSA", size=2048, kid="rogue-2")
    rogue_cloud.signing_key = rogue_cloud.key
    rogue_cloud.header = {"alg": "RS256", "kid": "rogue-2"}
    assert _callback(Client(), rogue_cloud).status_code == 302
    assert rogue_cloud.fetches.count("/jwks") == 2

    settings.OIDC_METADATA_MAX_AGE = 0  # stale at once: discovery is read again
    assert _callback(Client(), rogue_cloud).status_code == 302
    assert rogue_cloud.fetches.count("/.well-known/openid-configuration") == 3  # at the start and the callback


def test_a_provider_without_end_session_just_signs_out_here(rogue_cloud: Rogue) -> None:
    """The rogue provider's discovery names no ``end_session_endpoint``: log-out ends the local
    session and goes to the log-in page, with no provider log-out offered."""
    client = Client()
    assert _callback(client, rogue_cloud)["Location"] == "/sso/link/"
    assert client.post("/sso/link/", {"confirm": ""})["Location"] == "/"
    assert "_auth_user_id" in client.session

    response = client.post("/logout/")

    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
