from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation
from django_scopes import scopes_disabled

from licheng.testing.personas import Personas, build_personas


@pytest.fixture(autouse=True)
def _test_defaults(settings: object) -> Iterator[None]:
    """Fast password hashing in tests (argon2 is what settings.py uses, tested separately), and
    scopes off for test set-up code; each request still runs inside its school's scope."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    translation.activate("zh-hant")  # every test starts in the default language, whatever ran before
    with scopes_disabled():
        yield


@pytest.fixture
def personas(db: None) -> Personas:
    return build_personas()
