"""The backups page (read-only): the last good backup, an alarm when it is too old, recent runs and
scrubs. Deployment operators see it without choosing a school; school admins through ``backups.view``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from licheng.backups.models import BackupRun, ScrubRun
from licheng.backups.services import backup_status
from licheng.core.permissions import school_view

RECENT = 10


def operator_or_school_view(permission: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """``school_view(permission)``, except that a deployment operator (a superuser without a school)
    gets through whether or not they picked a school: backups belong to the whole deployment."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        checked = school_view(permission)(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if user.is_authenticated and user.is_superuser and getattr(user, "school_id", None) is None:
                return view(request, *args, **kwargs)
            return checked(request, *args, **kwargs)

        wrapper.licheng_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator


@operator_or_school_view("backups.view")
def status(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backups/status.html",
        {
            "status": backup_status(),
            "runs": list(BackupRun.objects.order_by("-started_at", "-id")[:RECENT]),
            "scrub": ScrubRun.objects.order_by("-started_at", "-id").first(),
        },
    )


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For monitoring: 200 while the last good backup is recent enough, 503 otherwise."""
    state = backup_status()
    last_scrub = ScrubRun.objects.order_by("-started_at", "-id").first()
    body = {
        "status": "stale" if state.stale else "ok",
        "last_good_backup": state.last_good.finished_at.isoformat()
        if state.last_good and state.last_good.finished_at
        else None,
        "age_hours": round(state.age_hours, 2) if state.age_hours is not None else None,
        "max_age_hours": state.max_age_hours,
        "last_scrub_unrecoverable": last_scrub.unrecoverable if last_scrub else None,
    }
    return JsonResponse(body, status=503 if state.stale else 200)
