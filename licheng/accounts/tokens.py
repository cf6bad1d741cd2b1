"""Personal API tokens: ``Authorization: Bearer <token>``. Only the token's SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from licheng.accounts.models import ApiToken
from licheng.audit.services import Actor, record
from licheng.people.models import User

TOKEN_PREFIX = "lch_"  # noqa: S105 - a marker, not a secret


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; the raw value is returned once and never stored."""
    if actor.user is None or actor.user.pk != user.pk:
        raise PermissionDenied("people create tokens only for themselves")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:60], digest=_digest(raw))
    record(actor=actor, school=user.school, action="api_token.create", obj=token, changes={"name": token.name})
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> None:
    if actor.user is None or actor.user.pk != token.user_id:
        raise PermissionDenied("people revoke only their own tokens")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(actor=actor, school=token.user.school, action="api_token.revoke", obj=token)


def user_for_bearer(request: HttpRequest) -> User | None:
    """The active user whose live token is in the request's Authorization header, if any."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    raw = header.removeprefix("Bearer ").strip()
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__school")
        .filter(digest=_digest(raw), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
