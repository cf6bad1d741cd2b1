"""Chinese by default, whatever the browser asks for; English once chosen."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client: Client) -> None:
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.headers["Content-Language"] == "zh-hant"
    assert "登入" in page.content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-TW")
    assert page.headers["Content-Language"] == "en"
    assert "Log in" in page.content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_chinese(client: Client) -> None:
    client.cookies["django_language"] = "fr"
    assert client.get("/login/").headers["Content-Language"] == "zh-hant"
