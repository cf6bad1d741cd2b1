"""The versioned REST API: ``/api/v1/``, OpenAPI document at ``/api/v1/openapi.json``.

Each domain app keeps its endpoints in its own ``api.py`` as a ninja ``Router``; they are mounted
here. Every route runs under the same school scope and permissions as the pages.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from licheng.api.auth import API_AUTH, require

api = NinjaAPI(
    title="Licheng API",
    version="1",
    description="School platform for senior-high learning portfolios (學習歷程). Authenticate with a "
    "session cookie (plus CSRF token for changes) or `Authorization: Bearer <token>`.",
    auth=API_AUTH,
    urls_namespace="api-v1",
    docs_url="/docs",
)


class MeOut(Schema):
    username: str
    name: str
    school_code: str | None
    roles: list[str]
    permissions: list[str]


@api.get("/me", response=MeOut, tags=["accounts"])
def me(request: HttpRequest) -> MeOut:
    """Who the caller is, in which school, with which roles and permissions."""
    from licheng.core.permissions import permissions_of, roles_of

    require(request)
    user = request.user
    school = request.school  # type: ignore[attr-defined]
    return MeOut(
        username=user.username,  # type: ignore[union-attr]
        name=str(user),
        school_code=school.code if school else None,
        roles=sorted(roles_of(user, school)),  # type: ignore[arg-type]
        permissions=sorted(permissions_of(user, school)),  # type: ignore[arg-type]
    )


def mount_routers() -> None:
    """Mount each app's router. Kept explicit so a reader sees every part of the API in one place."""
    import importlib

    for prefix, module in (
        ("/schools", "licheng.schools.api"),
        ("/people", "licheng.people.api"),
        ("/courses", "licheng.courses.api"),
        ("/audit", "licheng.audit.api"),
        ("/accounts", "licheng.accounts.api"),
    ):
        try:
            router = importlib.import_module(module).router
        except ModuleNotFoundError:
            continue
        api.add_router(prefix, router)


mount_routers()
