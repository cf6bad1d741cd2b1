"""The site menu, built from what the user may do in the request's school.

Each entry names a URL and a predicate over the user's permissions and roles. An entry whose URL
name does not reverse (its page is not built yet) is left out, so the layout never breaks.
"""

from __future__ import annotations

import dataclasses

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, Who, any_of, everyone, in_school, operator, perm, role
from licheng.core.permissions import has_permission, permissions_of, roles_of
from licheng.core.registry import menu_entries
from licheng.people.roles import STAFF_ROLES, Role


@dataclasses.dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url: str
    url_name: str
    current: bool


# Staff who see some students (their own) without ``people.view_students``. Parents are not among
# them: they reach their own children from their home page and "My children's course outcomes".
_RELATIONSHIP_ROLES = (Role.HOMEROOM_TEACHER, Role.COURSE_COUNSELLOR, Role.SUBJECT_TEACHER)

# The site's own entries, first and last; every app's block comes between, from the registry.
CORE_MENU_HEAD: list[NavEntry] = [
    NavEntry(_("Home"), "home", everyone),
    NavEntry(_("Students"), "people:student_list", any_of(perm("people.view_students"), role(*_RELATIONSHIP_ROLES))),
    NavEntry(_("Courses"), ("courses:list", "courses:course_list"), in_school),
    NavEntry(_("Staff"), "people:staff_list", perm("people.manage_staff")),
    NavEntry(_("Classes"), ("schools:classes", "schools:class_list"), perm("school.view_settings")),
    NavEntry(_("Calendar"), ("schools:calendar", "schools:term_list"), perm("school.view_settings")),
    NavEntry(_("School settings"), "schools:settings", perm("school.view_settings")),
    NavEntry(_("Roles and permissions"), "people:role_permissions", perm("school.manage_roles")),
    NavEntry(_("Sign-in settings"), "school_sign_on", perm("school.manage_settings")),
    NavEntry(_("Proxies"), "people:proxy_list", any_of(perm("proxies.manage"), role(*STAFF_ROLES))),
    NavEntry(_("Import accounts"), ("account_import_list", "accounts:import_start"), perm("people.import_accounts")),
]

CORE_MENU_TAIL: list[NavEntry] = [
    NavEntry(_("Audit trail"), "audit:activity", perm("audit.view")),
    NavEntry(_("API tokens"), ("account_tokens", "accounts:tokens"), in_school),
    NavEntry(_("Change password"), "password_change", everyone),
    NavEntry(_("Choose school"), "choose_school", operator),
]


def _reverse(url_names: tuple[str, ...]) -> tuple[str, str] | None:
    for name in url_names:
        try:
            return name, reverse(name)
        except NoReverseMatch:
            continue
    return None


def site_menu() -> list[NavEntry]:
    """The whole menu in order: core's head, every app's registered block, core's tail."""
    return [*CORE_MENU_HEAD, *menu_entries(), *CORE_MENU_TAIL]


def who_is(request: HttpRequest) -> Who:
    user = request.user
    school = getattr(request, "school", None)
    if not user.is_authenticated:
        return Who(frozenset(), frozenset(), False, False)
    return Who(
        permissions=permissions_of(user, school),  # type: ignore[arg-type]
        roles=roles_of(user, school),  # type: ignore[arg-type]
        is_operator=bool(user.is_superuser and user.school_id is None),  # type: ignore[union-attr]
        has_school=school is not None,
    )


def menu_for(request: HttpRequest, entries: list[NavEntry] | None = None) -> list[NavLink]:
    """The links this user sees, in menu order; the one for the current page is marked."""
    if not request.user.is_authenticated:
        return []
    who = who_is(request)
    match = getattr(request, "resolver_match", None)
    current_name = match.view_name if match is not None else None
    links = []
    for entry in site_menu() if entries is None else entries:
        if not entry.allowed(who):
            continue
        found = _reverse(entry.url_names)
        if found is None:
            continue
        name, url = found
        links.append(NavLink(entry.label, url, name, name == current_name))
    return links


def may_open(request: HttpRequest, url: str) -> bool:
    """False when ``url`` is a page this user may not open: one whose view declares a permission
    they lack, or a menu page their menu leaves out (either would answer 403); True for every other
    page of the site (their views decide)."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return True
    # A page that declares its permission (``school_view``) answers 403 to whoever lacks it.
    permission = getattr(match.func, "licheng_permission", None)
    school = getattr(request, "school", None)
    user = request.user
    if permission and school is not None and not (user.is_authenticated and has_permission(user, school, permission)):
        return False
    entries = [entry for entry in site_menu() if match.view_name in entry.url_names]
    if not entries:
        return True
    who = who_is(request)
    return any(entry.allowed(who) for entry in entries)
