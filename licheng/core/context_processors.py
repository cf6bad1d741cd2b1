from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from licheng.core.navigation import menu_for
from licheng.core.permissions import permissions_of, roles_of
from licheng.people.roles import Role


def school(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "school", None)
    user = request.user
    roles = roles_of(user, current) if user.is_authenticated else frozenset()  # type: ignore[arg-type]
    return {
        "school": current,
        "my_permissions": permissions_of(user, current) if user.is_authenticated else frozenset(),  # type: ignore[arg-type]
        "my_roles": roles,
        # Callables: templates call them only when they show the header, so fragments pay nothing.
        "my_role_labels": lambda: [r.label for r in Role if r.value in roles],
        "nav_links": lambda: menu_for(request),
    }
