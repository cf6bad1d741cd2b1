"""The user's own notifications."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core.permissions import school_view
from licheng.notifications.selectors import notifications_of
from licheng.notifications.services import notification_mark_read

PAGE_SIZE = 50


@school_view()
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = list(notifications_of(request.user, request.school)[:PAGE_SIZE])  # type: ignore[arg-type,attr-defined]
    return render(
        request,
        "notifications/list.html",
        {"notifications": rows, "unread": sum(1 for n in rows if n.read_at is None)},
    )


@require_POST
@school_view()
def mark_read(request: HttpRequest) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("notification") if v.isdigit()]
    notification_mark_read(actor=Actor.from_request(request), notification_ids=ids or None)
    return redirect("notifications:list")
