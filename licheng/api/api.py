"""The versioned REST API: ``/api/v1/``, OpenAPI document at ``/api/v1/openapi.json``.

Each domain app keeps its endpoints in its own ``api.py`` as a ninja ``Router``; they are mounted
here. Every route runs under the same school scope and permissions as the pages.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from licheng.accounts.api import router as accounts_router
from licheng.announcements.api import router as announcements_router
from licheng.api.auth import API_AUTH, require
from licheng.audit.api import router as audit_router
from licheng.backups.api import router as backups_router
from licheng.counselling.api import router as counselling_router
from licheng.courses.api import router as courses_router
from licheng.files.api import router as files_router
from licheng.lifecycle.api import router as lifecycle_router
from licheng.notifications.api import router as notifications_router
from licheng.people.api import router as people_router
from licheng.performances.api import router as performances_router
from licheng.portfolio.api import router as portfolio_router
from licheng.progress.api import router as progress_router
from licheng.receipts.api import router as receipts_router
from licheng.records.api import router as records_router
from licheng.records.office_api import router as records_office_router
from licheng.records.staff_api import router as records_staff_router
from licheng.schedule.api import router as schedule_router
from licheng.schools.api import router as schools_router
from licheng.submissions.api import router as submissions_router
from licheng.workinggroup.api import router as workinggroup_router

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


# Each app's router, mounted explicitly so a reader sees every part of the API in one place.
api.add_router("/schools", schools_router)
api.add_router("/people", people_router)
api.add_router("/courses", courses_router)
api.add_router("/audit", audit_router)
api.add_router("/accounts", accounts_router)
api.add_router("/files", files_router)
api.add_router("/notifications", notifications_router)
api.add_router("/portfolio", portfolio_router)
api.add_router("/performances", performances_router)
api.add_router("/records", records_router)
api.add_router("/records", records_staff_router)
api.add_router("/records", records_office_router)
api.add_router("/counselling", counselling_router)
api.add_router("/schedule", schedule_router)
api.add_router("/progress", progress_router)
api.add_router("/announcements", announcements_router)
api.add_router("/working-group", workinggroup_router)
api.add_router("/submissions", submissions_router)
api.add_router("/receipts", receipts_router)
api.add_router("/lifecycle", lifecycle_router)
api.add_router("/backups", backups_router)
