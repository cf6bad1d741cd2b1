"""The test OpenID Connect provider (``licheng.testing.oidc_provider``) as its own process on a free
loopback port, with a fresh RS256 key and database in a temp folder; once per test session."""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from licheng.testing.oidc_provider import people

ROOT = Path(__file__).resolve().parents[3]


@dataclasses.dataclass(frozen=True)
class Provider:
    base_url: str

    @property
    def issuer(self) -> str:
        return self.base_url + "/o"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(folder: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LICHENG_", "DJANGO_", "DATABASE"))}
    env.update(
        OIDC_TEST_DIR=folder,
        DJANGO_SETTINGS_MODULE="licheng.testing.oidc_provider.settings",
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    with tempfile.TemporaryDirectory(prefix="oidc-provider-") as folder:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        Path(folder, "rsa.pem").write_bytes(pem)
        env = _env(folder)
        for command in (["migrate", "--no-input", "-v", "0"], ["provider_setup"]):
            subprocess.run([sys.executable, "-m", "django", *command], env=env, cwd=ROOT, check=True)  # noqa: S603
        port = _free_port()
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "django", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        provider = Provider(base_url=f"http://127.0.0.1:{port}")
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if requests.get(provider.issuer + "/.well-known/openid-configuration", timeout=2).ok:
                        break
                except requests.ConnectionError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the test OpenID Connect provider did not start")
                time.sleep(0.2)
            yield provider
        finally:
            process.terminate()
            process.wait(timeout=10)


__all__ = ["Provider", "oidc_provider", "people"]
