"""A provider that answers with whatever ID token a test crafted: forged, expired, for another
client, with another nonce. A thread on a free loopback port serving discovery, keys and a token
endpoint; keys are jwcrypto RSA keys of the test's own."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from jwcrypto import jwk, jwt

from licheng.testing.oidc_provider import people


class Rogue:
    def __init__(self) -> None:
        self.key = jwk.JWK.generate(kty="RSA", size=2048, kid="rogue-1")
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.claims: dict[str, Any] = {}
        self.signing_key = self.key
        self.header: dict[str, str] = {"alg": "RS256", "kid": "rogue-1"}
        self.fetches: list[str] = []

    def id_token(self, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": self.issuer, "aud": people.CLIENT_ID, "iat": now, "exp": now + 300, **self.claims, **claims}
        body = {k: v for k, v in body.items() if v is not None}
        token = jwt.JWT(header=self.header, claims=body)
        token.make_signed_token(self.signing_key)
        return str(token.serialize())

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        rogue = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                rogue.fetches.append(self.path)
                if self.path == "/.well-known/openid-configuration":
                    self._json(
                        {
                            "issuer": rogue.issuer,
                            "authorization_endpoint": rogue.issuer + "/authorize",
                            "token_endpoint": rogue.issuer + "/token",
                            "jwks_uri": rogue.issuer + "/jwks",
                            "id_token_signing_alg_values_supported": ["RS256"],
                        }
                    )
                elif self.path == "/jwks":
                    self._json({"keys": [rogue.key.export_public(as_dict=True)]})
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parse_qs(self.rfile.read(length).decode())
                self._json({"access_token": "opaque", "token_type": "Bearer", "id_token": rogue.id_token()})

        return Handler


@pytest.fixture
def rogue() -> Iterator[Rogue]:
    server = Rogue()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def nonce_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["nonce"][0]


def state_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["state"][0]
