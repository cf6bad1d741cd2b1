"""Authentication and permission helpers shared by every API router."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from licheng.core.permissions import has_permission


def forbidden() -> HttpError:
    """403 with a message in the caller's language."""
    return HttpError(403, _("You do not have permission for this."))


class TokenAuth(HttpBearer):
    """The token itself was checked by ``SchoolMiddleware``; here we only accept its result."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if getattr(request, "api_token_authenticated", False):
            return request.user
        return None


# Session requests that change something must carry the CSRF token, as pages do.
API_AUTH = [TokenAuth(), SessionAuth()]


def require(request: HttpRequest, permission: str | None = None) -> None:
    """403 unless the caller belongs to a school (and holds ``permission`` there). Objects the caller
    may not see are answered with 404 by the selectors, never 403."""
    school = getattr(request, "school", None)
    if school is None:
        raise HttpError(403, _("You do not belong to a school on this deployment."))
    if permission is not None and not has_permission(request.user, school, permission):  # type: ignore[arg-type]
        raise forbidden()
