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

from licheng.announcements import menu as announcements_menu
from licheng.backups import menu as backups_menu
from licheng.core.navitems import NavEntry, Who, any_of, everyone, in_school, operator, perm, role
from licheng.core.permissions import permissions_of, roles_of
from licheng.counselling.menu import LABELS as COUNSELLING
from licheng.lifecycle import menu as lifecycle_menu
from licheng.people.roles import STAFF_ROLES, Role
from licheng.people.verification_menu import LABELS as VERIFICATION
from licheng.performances.menu import LABELS as PERFORMANCES
from licheng.portability import menu as portability_menu
from licheng.portfolio.menu import LABELS as PORTFOLIO
from licheng.progress import menu as progress_menu
from licheng.receipts import menu as receipts_menu
from licheng.records import menu as records_menu
from licheng.records.menu import LABELS as RECORDS
from licheng.schedule import menu as schedule_menu
from licheng.submissions import menu as submissions_menu
from licheng.workinggroup import menu as workinggroup_menu


@dataclasses.dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url: str
    url_name: str
    current: bool


# People who see some students (their own) without ``people.view_students``.
_RELATIONSHIP_ROLES = (Role.HOMEROOM_TEACHER, Role.COURSE_COUNSELLOR, Role.SUBJECT_TEACHER, Role.PARENT)

MENU: list[NavEntry] = [
    NavEntry(_("Home"), "home", everyone),
    NavEntry(_("Students"), "people:student_list", any_of(perm("people.view_students"), role(*_RELATIONSHIP_ROLES))),
    NavEntry(_("Courses"), ("courses:list", "courses:course_list"), in_school),
    NavEntry(_("Staff"), "people:staff_list", perm("people.manage_staff")),
    NavEntry(_("Classes"), ("schools:classes", "schools:class_list"), perm("school.view_settings")),
    NavEntry(_("Calendar"), ("schools:calendar", "schools:term_list"), perm("school.view_settings")),
    NavEntry(_("School settings"), "schools:settings", perm("school.view_settings")),
    NavEntry(_("Roles and permissions"), "people:role_permissions", perm("school.manage_roles")),
    NavEntry(_("Proxies"), "people:proxy_list", any_of(perm("proxies.manage"), role(*STAFF_ROLES))),
    NavEntry(_("Import accounts"), ("account_import_list", "accounts:import_start"), perm("people.import_accounts")),
    NavEntry(RECORDS["grades"], "records:grades", perm("records.view_grades")),
    NavEntry(RECORDS["my_transcript"], "records:my_transcript", role(Role.STUDENT)),
    NavEntry(RECORDS["course_codes"], "records:course_codes", perm("courses.view_all")),
    NavEntry(RECORDS["cadre_roles"], "records:cadre_roles", perm("records.manage_cadre_roles")),
    NavEntry(RECORDS["attendance"], "records:attendance", perm("records.manage_discipline")),
    NavEntry(RECORDS["rewards_penalties"], "records:rewards_penalties", perm("records.manage_discipline")),
    NavEntry(RECORDS["career_exploration"], "records:career_exploration", perm("records.manage_career")),
    NavEntry(RECORDS["my_records"], "records:my_records", role(Role.STUDENT)),
    *records_menu.MENU,
    NavEntry(PORTFOLIO["my_outcomes"], "portfolio:my_outcomes", role(Role.STUDENT)),
    NavEntry(PORTFOLIO["exports"], "portfolio:exports", role(Role.STUDENT)),
    NavEntry(PORTFOLIO["selection"], "portfolio:selection", role(Role.STUDENT)),
    NavEntry(PORTFOLIO["children"], "portfolio:children", role(Role.PARENT)),
    NavEntry(PORTFOLIO["queue"], "portfolio:queue", role(Role.SUBJECT_TEACHER)),
    NavEntry(
        PORTFOLIO["classes"], "portfolio:class_list", any_of(perm("portfolio.view_all"), role(Role.HOMEROOM_TEACHER))
    ),
    NavEntry(PORTFOLIO["overview"], "portfolio:overview", perm("portfolio.view_all")),
    NavEntry(PORTFOLIO["reasons"], "portfolio:reasons", perm("portfolio.manage_reasons")),
    NavEntry(PORTFOLIO["extensions"], "portfolio:extensions", perm("portfolio.grant_extensions")),
    NavEntry(PORTFOLIO["notifications"], "notifications:list", in_school),
    NavEntry(PERFORMANCES["mine"], "performances:mine", role(Role.STUDENT)),
    NavEntry(PERFORMANCES["selection"], "performances:selection", role(Role.STUDENT)),
    NavEntry(PERFORMANCES["writings"], "performances:writings", role(Role.STUDENT)),
    NavEntry(
        PERFORMANCES["classes"],
        "performances:classes",
        any_of(perm("performances.view_all"), role(Role.HOMEROOM_TEACHER, Role.COURSE_COUNSELLOR)),
    ),
    NavEntry(PERFORMANCES["codes"], "performances:codes", perm("performances.manage_codes")),
    NavEntry(
        COUNSELLING["sessions"],
        "counselling:list",
        any_of(perm("counselling.view_all", "counselling.manage"), role(Role.COURSE_COUNSELLOR, Role.HOMEROOM_TEACHER)),
    ),
    NavEntry(COUNSELLING["mine"], "counselling:mine", role(Role.STUDENT)),
    NavEntry(VERIFICATION["mine"], "people:my_profile_check", role(Role.STUDENT)),
    NavEntry(
        VERIFICATION["rounds"],
        "people:verification_rounds",
        any_of(perm("people.manage_students"), role(Role.HOMEROOM_TEACHER)),
    ),
    *schedule_menu.MENU,
    *progress_menu.MENU,
    *announcements_menu.MENU,
    *workinggroup_menu.MENU,
    *submissions_menu.MENU,
    *receipts_menu.MENU,
    *lifecycle_menu.MENU,
    *backups_menu.MENU,
    *portability_menu.MENU,
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
    for entry in MENU if entries is None else entries:
        if not entry.allowed(who):
            continue
        found = _reverse(entry.url_names)
        if found is None:
            continue
        name, url = found
        links.append(NavLink(entry.label, url, name, name == current_name))
    return links
