"""The OpenID Connect relying party, on Authlib's Django client.

Authlib (not mozilla-django-oidc or allauth) because it reads the provider's discovery document
(issuer, endpoints, keys, ``end_session_endpoint``) instead of needing each endpoint configured,
does PKCE (S256), ``state`` and ``nonce`` itself, checks the ID token's signature, ``iss``,
``aud``, ``exp`` and ``nonce`` (joserfc), fetches the key set again when a token names an unknown
key, and does not impose its own user model or views: accounts are never created from claims here.
The discovery document and keys are cached per process and fetched again after
``settings.OIDC_METADATA_MAX_AGE`` seconds.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError

from licheng.accounts.sso import Provider

_lock = threading.Lock()
_clients: dict[Provider, Any] = {}
TIMEOUT_SECONDS = 10


class SignInError(Exception):
    """The provider's answer cannot be used; ``reason`` is one of ``unavailable``, ``state``,
    ``denied``, ``token``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail[:200]


@dataclasses.dataclass(frozen=True)
class SignIn:
    """A verified ID token: its claims, and the raw token for provider log-out."""

    claims: dict[str, Any]
    id_token: str


def client(provider: Provider) -> Any:
    """Authlib's client for the provider, its discovery document and keys refreshed when stale."""
    with _lock:
        app = _clients.get(provider)
        if app is None:
            app = OAuth().register(
                name=provider.key,
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                server_metadata_url=provider.metadata_url,
                client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256", "timeout": TIMEOUT_SECONDS},
            )
            _clients[provider] = app
        loaded_at = app.server_metadata.get("_loaded_at")
        if loaded_at is not None and time.time() - loaded_at > settings.OIDC_METADATA_MAX_AGE:
            app.server_metadata = {}
        return app


def authorize_redirect(request: HttpRequest, provider: Provider, redirect_uri: str) -> HttpResponse:
    """Send the browser to the provider; ``state``, ``nonce`` and the PKCE verifier stay in the session."""
    try:
        return client(provider).authorize_redirect(request, redirect_uri)  # type: ignore[no-any-return]
    except (requests.RequestException, ValueError) as error:
        raise SignInError("unavailable", str(error)) from error


def finish(request: HttpRequest, provider: Provider) -> SignIn:
    """Exchange the callback's code (with the PKCE verifier) and verify the ID token."""
    app = client(provider)
    if request.GET.get("error"):
        raise SignInError("denied", request.GET.get("error_description") or request.GET["error"])
    try:
        token = app.authorize_access_token(request, claims_options=_claims_options(app), leeway=30)
    except requests.RequestException as error:  # includes an answer that is not JSON
        raise SignInError("unavailable", str(error)) from error
    except OAuthError as error:
        reason = "state" if error.error == "mismatching_state" else "denied"
        raise SignInError(reason, str(error)) from error
    except (JoseError, KeyError, ValueError) as error:  # joserfc refuses a key of the wrong type with ValueError
        raise SignInError("token", repr(error)) from error
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        raise SignInError("token", "no ID token")
    return SignIn(claims=dict(claims), id_token=token["id_token"])


def _claims_options(app: Any) -> dict[str, Any]:
    issuer = app.load_server_metadata().get("issuer")
    return {
        "iss": {"essential": True, "values": [issuer]},
        "aud": {"essential": True, "values": [app.client_id]},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }


def logout_url(provider: Provider, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address for this sign-in, if its discovery document names one."""
    try:
        app = client(provider)
        if not app.load_server_metadata().get("end_session_endpoint"):
            return None
        result = app.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token, client_id=provider.client_id
        )
    except (requests.RequestException, ValueError, RuntimeError):
        return None
    return str(result["url"])
