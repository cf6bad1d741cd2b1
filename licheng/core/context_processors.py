from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from licheng.core.permissions import permissions_of, roles_of


def school(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "school", None)
    user = request.user
    return {
        "school": current,
        "my_permissions": permissions_of(user, current) if user.is_authenticated else frozenset(),  # type: ignore[arg-type]
        "my_roles": roles_of(user, current) if user.is_authenticated else frozenset(),  # type: ignore[arg-type]
    }
