"""Typed, fail-loud readers for environment variables (healthchecks' hc/settings.py style).

A variable that is set but malformed stops the process at start-up with a message that names it,
instead of running with a silently wrong value.
"""

from __future__ import annotations

import os
from pathlib import Path


class ConfigurationError(RuntimeError):
    pass


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default


OIDC_FIELDS = {
    "ISSUER": "issuer",
    "CLIENT_ID": "client_id",
    "CLIENT_SECRET": "client_secret",
    "LABEL": "label",
    "SCOPES": "scopes",
    "SCHOOL_CLAIM": "school_claim",
    "ROLE_CLAIM": "role_claim",
    "STUDENT_NUMBER_CLAIM": "student_number_claim",
    "NATIONAL_ID_CLAIM": "national_id_claim",
}
OIDC_DEFAULTS = {
    "scopes": "openid profile",
    "school_claim": "school_code",
    "role_claim": "role",
    "student_number_claim": "student_number",
    "national_id_claim": "national_id",
}


def oidc_providers_from_env() -> dict[str, dict[str, str]]:
    """``LICHENG_OIDC_PROVIDERS=educloud,city`` plus ``LICHENG_OIDC_<NAME>_ISSUER``, ``_CLIENT_ID``,
    ``_CLIENT_SECRET`` (required) and ``_LABEL``, ``_SCOPES``, ``_*_CLAIM`` (optional) per name."""
    providers: dict[str, dict[str, str]] = {}
    for name in env_list("LICHENG_OIDC_PROVIDERS", []):
        if not name.isidentifier() or len(name) > 40:
            raise ConfigurationError(f"LICHENG_OIDC_PROVIDERS: {name!r} is not a valid provider name")
        config = dict(OIDC_DEFAULTS, label=name)
        for suffix, key in OIDC_FIELDS.items():
            value = os.environ.get(f"LICHENG_OIDC_{name.upper()}_{suffix}", "").strip()
            if value:
                config[key] = value
        for key in ("issuer", "client_id", "client_secret"):
            if not config.get(key):
                raise ConfigurationError(f"LICHENG_OIDC_{name.upper()}_{key.upper()} must be set")
        providers[name.lower()] = config
    return providers
