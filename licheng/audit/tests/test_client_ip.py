"""The address recorded in the audit trail and used by login throttling."""

from __future__ import annotations

from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from licheng.audit.services import client_ip


def _request(remote: str, forwarded: str | None = None) -> HttpRequest:
    request = RequestFactory().get("/")
    request.META["REMOTE_ADDR"] = remote
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_forwarded_header_is_ignored_without_a_trusted_proxy() -> None:
    assert client_ip(_request("203.0.113.9", "198.51.100.7")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_trusted_proxy_yields_the_nearest_untrusted_hop() -> None:
    # The client claims 1.2.3.4, but the nearest hop the trusted proxy saw is 198.51.100.7.
    assert client_ip(_request("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.5"])
def test_garbage_in_the_header_falls_back_to_the_proxy_address() -> None:
    assert client_ip(_request("10.0.0.5", "not-an-address")) == "10.0.0.5"
    assert client_ip(_request("10.0.0.5")) == "10.0.0.5"
