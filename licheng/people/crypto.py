"""Encryption at rest for personal identifiers, and their masked display."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt(value: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()


def digest(value: str) -> str:
    """Keyed hash for equality look-ups (finding a student by national ID) without decryption."""
    key = hashlib.sha256(("licheng-digest:" + settings.FIELD_ENCRYPTION_KEY).encode()).digest()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask(value: str) -> str:
    """``A123456789`` → ``A12****789``: enough to recognise, not enough to use."""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]
