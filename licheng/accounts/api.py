"""Account endpoints, mounted at ``/api/v1/accounts``: my API tokens and the status of an import."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from licheng.accounts import selectors
from licheng.accounts.models import AccountImport
from licheng.accounts.tokens import api_token_create, api_token_revoke
from licheng.api.auth import require
from licheng.audit.services import Actor

router = Router(tags=["accounts"])


class TokenOut(Schema):
    id: int
    name: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class TokenIn(Schema):
    name: str


class TokenCreated(TokenOut):
    token: str


class ImportOut(Schema):
    id: int
    kind: str
    file_name: str
    status: str
    rows: int
    errors: int
    created_at: datetime.datetime
    applied_at: datetime.datetime | None
    passwords_set: bool


@router.get("/tokens", response=list[TokenOut])
def token_list(request: HttpRequest) -> list[TokenOut]:
    """My API tokens, live ones first."""
    require(request)
    return [TokenOut.model_validate(t, from_attributes=True) for t in selectors.tokens_of(request.user)]  # type: ignore[arg-type]


@router.post("/tokens", response={201: TokenCreated})
def token_create(request: HttpRequest, payload: TokenIn) -> Status[TokenCreated]:
    """Create a token for myself. Only from a logged-in browser session, never with another token.
    The raw token is in this answer only."""
    require(request)
    if getattr(request, "api_token_authenticated", False):
        raise HttpError(403, _("Tokens can only be created from a logged-in session."))
    name = payload.name.strip()
    if not name:
        raise HttpError(422, _("Give the token a name."))
    token, raw = api_token_create(actor=Actor.from_request(request), user=request.user, name=name)  # type: ignore[arg-type]
    return Status(201, TokenCreated(token=raw, **TokenOut.model_validate(token, from_attributes=True).model_dump()))


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    """Revoke one of my live tokens (404 for anyone else's)."""
    require(request)
    token = get_object_or_404(selectors.tokens_of(request.user), pk=token_id, revoked_at=None)  # type: ignore[arg-type]
    api_token_revoke(actor=Actor.from_request(request), token=token)
    return Status(204, None)


@router.get("/imports/{import_id}", response=ImportOut)
def import_status(request: HttpRequest, import_id: int) -> ImportOut:
    """Where a bulk account import stands (needs ``people.import_accounts``)."""
    require(request, "people.import_accounts")
    account_import: AccountImport = get_object_or_404(
        selectors.account_imports_visible_to(request.user, request.school),  # type: ignore[arg-type, attr-defined]
        pk=import_id,
    )
    return ImportOut(
        id=account_import.pk,
        kind=account_import.kind,
        file_name=account_import.file_name,
        status=account_import.status,
        rows=account_import.row_count,
        errors=account_import.error_count,
        created_at=account_import.created_at,
        applied_at=account_import.applied_at,
        passwords_set=account_import.passwords_set_at is not None,
    )
