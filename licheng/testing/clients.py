"""Test clients that browse in a chosen language, as a person does with the language switch."""

from __future__ import annotations

from django.conf import settings
from django.test import Client


def client_in(language: str, user: object | None = None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client
