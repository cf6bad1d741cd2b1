"""Create the provider's people and register the platform as its client (idempotent)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application

from licheng.testing.oidc_provider.people import CLIENT_ID, CLIENT_SECRET, PASSWORD, PEOPLE

REDIRECT_URIS = [
    f"http://{host}/sso/{name}/callback/" for host in ("testserver", "127.0.0.1") for name in ("educloud", "city")
]
LOGOUT_URIS = ["http://testserver/login/", "http://127.0.0.1/login/"]


class Command(BaseCommand):
    help = "Create the test provider's users and client."

    def handle(self, *args: Any, **options: Any) -> None:
        for username, claims in PEOPLE.items():
            user, _ = User.objects.get_or_create(username=username, defaults={"first_name": claims.get("name") or ""})
            user.set_password(PASSWORD)
            user.save()
        Application.objects.update_or_create(
            client_id=CLIENT_ID,
            defaults={
                "name": "Licheng",
                "client_secret": CLIENT_SECRET,
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                "redirect_uris": " ".join(REDIRECT_URIS),
                "post_logout_redirect_uris": " ".join(LOGOUT_URIS),
                "algorithm": Application.RS256_ALGORITHM,
                "skip_authorization": True,
                "hash_client_secret": False,
            },
        )
