"""Django's model backend, loading the person's school with them: every signed-in request needs
both (the school decides the request's scope), in one query instead of two."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from licheng.people.models import User


class SchoolModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.select_related("school").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
