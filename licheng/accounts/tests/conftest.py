from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from licheng.accounts.models import SchoolSignOn
from licheng.accounts.tests.provider import Provider, oidc_provider  # noqa: F401
from licheng.core.tests.conftest import chromium, desktop_page, phone_page, screenshot_dir  # noqa: F401
from licheng.testing.oidc_provider import people
from licheng.testing.personas import Personas


def provider_config(issuer: str, **overrides: str) -> dict[str, str]:
    return {
        "issuer": issuer,
        "client_id": people.CLIENT_ID,
        "client_secret": people.CLIENT_SECRET,
        "label": "教育雲端",
        "scopes": "openid profile",
        "school_claim": "school_code",
        "role_claim": "role",
        "student_number_claim": "student_number",
        "national_id_claim": "national_id",
        **overrides,
    }


@pytest.fixture
def educloud(oidc_provider: Provider, settings: Any, personas: Personas) -> Provider:  # noqa: F811
    """The test provider as this deployment's ``educloud``; school A allows it and links first
    sign-ins by student number; the personas' student is the provider's ``cloud-student``."""
    settings.OIDC_PROVIDERS = {"educloud": provider_config(oidc_provider.issuer)}
    SchoolSignOn.objects.create(school=personas.school, providers=["educloud"], link_rule="student_number")
    personas.student.student_number = "S0001"
    personas.student.save()
    return oidc_provider


class ProviderBrowser:
    """Someone at the provider's log-in page, with their own cookies there."""

    def __init__(self, username: str) -> None:
        self.username = username
        self.session = requests.Session()

    def authorize(self, url: str) -> str:
        """Follow the authorisation request through the provider's log-in; the redirect back."""
        for _ in range(10):
            response = self.session.get(url, allow_redirects=False, timeout=10)
            if response.status_code == 200 and "csrfmiddlewaretoken" in response.text:
                token = self.session.cookies["provider_csrf"]
                query = urlsplit(url).query
                next_url = dict(part.split("=", 1) for part in query.split("&")).get("next", "")
                response = self.session.post(
                    url,
                    data={
                        "username": self.username,
                        "password": people.PASSWORD,
                        "csrfmiddlewaretoken": token,
                        "next": requests.utils.unquote(next_url),
                    },
                    headers={"Referer": url},
                    allow_redirects=False,
                    timeout=10,
                )
            assert response.status_code == 302, (response.status_code, response.text[:500])
            location = response.headers["Location"]
            if location.startswith("/"):
                location = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}{location}"
            if location.startswith("http://testserver/"):
                return location.removeprefix("http://testserver")
            url = location
        raise AssertionError("the provider never redirected back")


def sign_in(client: Client, username: str, provider: str = "educloud", next_url: str = "") -> Any:
    """Start at the platform, sign in at the provider as ``username``, come back: the response."""
    start = client.get(f"/sso/{provider}/start/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content[:300]
    callback = ProviderBrowser(username).authorize(start["Location"])
    return client.get(callback)


from licheng.accounts.tests.rogue import rogue  # noqa: E402, F401
