"""The user's own notifications and channel preferences; the school's reminder setting."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission, school_view
from licheng.notifications.models import Category
from licheng.notifications.selectors import notifications_of
from licheng.notifications.services import (
    MAX_REMINDER_DAYS,
    notification_mark_read,
    preferences_of,
    preferences_set,
    reminder_days,
    reminder_settings_set,
)

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


@school_view()
def preferences(request: HttpRequest) -> HttpResponse:
    """Per category: in the app and/or by e-mail."""
    if request.method == "POST":
        choices = {
            category: {
                "in_app": request.POST.get(f"{category}-in_app") == "on",
                "email": request.POST.get(f"{category}-email") == "on",
            }
            for category in Category.values
        }
        preferences_set(actor=Actor.from_request(request), choices=choices)
        messages.success(request, _("Your notification preferences were saved."))
        return redirect("notifications:preferences")
    current = preferences_of(request.user)  # type: ignore[arg-type]
    rows = [(value, label, current[value]) for value, label in Category.choices]
    return render(
        request,
        "notifications/preferences.html",
        {
            "rows": rows,
            "has_email": bool(getattr(request.user, "email", "")),
            "can_manage_reminders": has_permission(
                request.user,  # type: ignore[arg-type]
                request.school,  # type: ignore[attr-defined]
                "notifications.manage_reminders",
            ),
        },
    )


@school_view("notifications.manage_reminders")
def reminder_settings(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    error = None
    value = str(reminder_days(school))
    if request.method == "POST":
        value = request.POST.get("days_before", "").strip()
        try:
            if not value.isdigit():
                raise ServiceError(_("Enter a whole number of days."), field="days_before")
            reminder_settings_set(actor=Actor.from_request(request), school=school, days_before=int(value))
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, _("The reminder setting was saved."))
            return redirect("notifications:reminder_settings")
    return render(
        request,
        "notifications/reminder_settings.html",
        {"value": value, "error": error, "max_days": MAX_REMINDER_DAYS},
        status=400 if error else 200,
    )
