"""Checks the lifecycle's services share: permission, and the note every change may carry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission


def authorise(actor: Actor, school: Any, permission: str) -> Actor:
    """The actor to record (a proxy acting for an office holder is recorded as such); PermissionDenied otherwise."""
    from licheng.people import services as people_services

    return people_services.authorise(actor, school, permission)


def require(actor: Actor, school: Any, permission: str) -> None:
    """The person at the keyboard holds ``permission`` here themself (no proxy); the system actor always may."""
    user = actor.user
    if user is None:
        return
    if user.school_id not in (None, school.pk) or not has_permission(user, school, permission):
        raise PermissionDenied(f"{user} may not {permission}")


def check_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > 300:
        raise ServiceError(_("Keep the note under 300 characters."), field="note")
    return note
