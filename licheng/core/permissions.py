"""Who may do what in which school.

Role → permission comes from the school's ``RolePermission`` rows; the user's roles from
``RoleGrant``. Both are read once per request and cached on the user object.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from licheng.people.roles import PERMISSIONS

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def roles_of(user: User, school: School | None) -> frozenset[str]:
    if school is None or not user.is_authenticated or user.school_id not in (None, school.pk):
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_licheng_roles", {})
    if school.pk not in cache:
        from licheng.people.models import RoleGrant

        cache[school.pk] = frozenset(RoleGrant.objects.filter(school=school, user=user).values_list("role", flat=True))
    return cache[school.pk]


def permissions_of(user: User, school: School | None) -> frozenset[str]:
    if school is None or not user.is_authenticated:
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_licheng_permissions", {})
    if school.pk not in cache:
        from licheng.people.models import RolePermission

        roles = roles_of(user, school)
        cache[school.pk] = frozenset(
            RolePermission.objects.filter(school=school, role__in=roles).values_list("permission", flat=True)
        )
    return cache[school.pk]


def has_permission(user: User, school: School | None, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    return permission in permissions_of(user, school)


def has_role(user: User, school: School | None, *roles: str) -> bool:
    return bool(roles_of(user, school) & set(roles))


def forget_cached_permissions(user: User) -> None:
    user.__dict__.pop("_licheng_roles", None)
    user.__dict__.pop("_licheng_permissions", None)


def school_view(permission: str | None = None) -> Callable[[ViewFunc], ViewFunc]:
    """Declare a page that belongs to the request's school.

    Anonymous → login page. No school resolved → 404. ``permission`` missing → 403.
    Object-level checks (is this *your* student?) stay in the selectors, which answer 404.
    """
    if permission is not None and permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            school = getattr(request, "school", None)
            if school is None:
                raise Http404
            if permission is not None and not has_permission(request.user, school, permission):  # type: ignore[arg-type]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.licheng_permission = permission  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
