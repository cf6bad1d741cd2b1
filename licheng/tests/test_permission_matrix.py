"""Every URL and API route × every persona → the status that persona must get.

One table, read top to bottom (pretix's tests/api/test_permissions.py, for a school). The last test
fails when a route exists that the table does not name, so a new page cannot ship unchecked.

Codes: 302 for pages means "sent to the login page" for the anonymous visitor; 401 is the API's
answer to the anonymous caller; 403 is "you may not do this here"; 404 is "no such thing for you"
(another school's object, or one that is not yours). ``OK`` means the request got through the
permission checks: any answer but 401/403/404/405/5xx (a form re-shown with errors, a redirect after
a change, a 422 for an incomplete payload are all "got through").

Each persona's request runs inside a savepoint that is rolled back, so one persona's change never
alters what the next one sees.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from licheng.accounts.models import AccountImport
from licheng.people.models import ParentLink, ProxyAssignment, StaffMember
from licheng.schools.models import Division
from licheng.testing.personas import Personas
from licheng.tests import (
    matrix_announcements,
    matrix_backups,
    matrix_binding,
    matrix_counselling,
    matrix_credentials,
    matrix_files,
    matrix_lifecycle,
    matrix_notifications,
    matrix_performances,
    matrix_portability,
    matrix_portfolio,
    matrix_progress,
    matrix_receipts,
    matrix_records,
    matrix_records_cadre,
    matrix_records_office,
    matrix_schedule,
    matrix_sso,
    matrix_submissions,
    matrix_verification,
    matrix_workinggroup,
)
from licheng.tests.matrix_base import (
    API_ANY,
    API_MANAGE_ROLES,
    API_MANAGE_SETTINGS,
    API_VIEW_SETTINGS,
    APPLIED_IMPORT,
    COURSE,
    IMPORT,
    OK,
    PAGE_ANY,
    PAGE_MANAGE_SETTINGS,
    PAGE_MANAGE_SETTINGS_OBJ,
    PAGE_REGISTRY,
    PAGE_REGISTRY_OBJ,
    PAGE_VIEW_SETTINGS,
    PERSONAS,
    POST_MANAGE_SETTINGS,
    POST_MANAGE_SETTINGS_OBJ,
    POST_REGISTRY_OBJ,
    PUBLIC,
    RULES,
    STUDENT,
    Case,
    World,
    who,
)

CASES = [
    # --- public and account pages -------------------------------------------------------------
    Case("healthz", PUBLIC),
    Case("favicon", who(301)),  # to the static icon, for everyone
    # Browsers report Content-Security-Policy violations without a login or a CSRF token.
    Case("csp_report", who(OK), method="post"),
    Case("set_language", who(302), method="post", data=lambda w: {"language": "en", "next": "/"}),
    Case("login", who(302, anonymous=200)),  # a logged-in user is sent home
    Case("logout", who(302), method="post"),
    Case("password_reset", PUBLIC),
    Case("password_reset_done", PUBLIC),
    Case("password_reset_confirm", PUBLIC, kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"}),
    Case("password_reset_complete", PUBLIC),
    Case("password_change", PAGE_ANY),
    Case("password_change_done", PAGE_ANY),
    Case("home", PAGE_ANY),
    # Only deployment operators (superusers without a school) choose a school.
    Case("choose_school", who(404, anonymous=302)),
    Case("account_tokens", PAGE_ANY),
    Case(
        "account_token_revoke",
        who(404, anonymous=302, subject_teacher=OK),
        kwargs=lambda w: {"pk": w.token.pk},
        method="post",
    ),
    # --- bulk account import ------------------------------------------------------------------
    Case("account_import_list", PAGE_REGISTRY),
    Case("account_import_template", PAGE_REGISTRY, kwargs=lambda w: {"kind": "students"}),
    Case("account_import_detail", PAGE_REGISTRY_OBJ, kwargs=IMPORT),
    Case("account_import_apply", POST_REGISTRY_OBJ, kwargs=IMPORT, method="post"),
    Case("account_import_passwords", PAGE_REGISTRY_OBJ, kwargs=APPLIED_IMPORT),
    Case("account_import_passwords_xlsx", PAGE_REGISTRY_OBJ, kwargs=APPLIED_IMPORT),
    # --- people -------------------------------------------------------------------------------
    # Students list: staff with people.view_students see all; teachers, homeroom teachers,
    # counsellors and parents see theirs (possibly none); students have no list.
    Case("people:student_list", who(200, anonymous=302, student=403)),
    Case("people:student_create", PAGE_REGISTRY),
    Case("people:student_detail", who(200, anonymous=302, other_teacher=404, outsider=404), kwargs=STUDENT),
    Case("people:student_edit", PAGE_REGISTRY_OBJ, kwargs=STUDENT),
    Case("people:parent_create", PAGE_REGISTRY_OBJ, kwargs=STUDENT),
    Case("people:parent_link", PAGE_REGISTRY_OBJ, kwargs=STUDENT),
    Case(
        "people:parent_unlink",
        POST_REGISTRY_OBJ,
        kwargs=lambda w: {"pk": w.p.student.pk, "link_pk": w.parent_link.pk},
        method="post",
    ),
    Case("people:staff_list", PAGE_VIEW_SETTINGS),
    Case("people:staff_create", PAGE_MANAGE_SETTINGS),
    Case("people:staff_edit", PAGE_MANAGE_SETTINGS_OBJ, kwargs=lambda w: {"pk": w.staff.pk}),
    Case("people:role_permissions", PAGE_VIEW_SETTINGS),
    Case("people:role_permissions_reset", POST_MANAGE_SETTINGS, method="post"),
    Case("people:user_roles", PAGE_MANAGE_SETTINGS_OBJ, kwargs=lambda w: {"pk": w.p.subject_teacher.pk}),
    Case(
        "people:user_role_revoke",
        POST_MANAGE_SETTINGS_OBJ,
        kwargs=lambda w: {"pk": w.p.subject_teacher.pk, "role": "subject_teacher"},
        method="post",
    ),
    # Everyone sees their own proxies; staff may name their own; the working group (admin) anyone's.
    Case("people:proxy_list", PAGE_ANY),
    Case("people:proxy_create", who(200, anonymous=302, student=403, parent=403)),
    # The proxy sees the assignment but may not revoke it; only its principal and the working group.
    Case(
        "people:proxy_revoke",
        who(404, anonymous=302, other_teacher=403, subject_teacher=OK, school_admin=OK),
        kwargs=lambda w: {"pk": w.proxy.pk},
        method="post",
    ),
    # --- school settings and calendar ---------------------------------------------------------
    Case("schools:settings", PAGE_VIEW_SETTINGS),
    Case("schools:rules_edit", PAGE_MANAGE_SETTINGS),
    Case("schools:rules_override_create", POST_MANAGE_SETTINGS, method="post"),
    Case("schools:rules_year_edit", PAGE_MANAGE_SETTINGS_OBJ, kwargs=lambda w: {"year": w.override_year}),
    Case(
        "schools:rules_override_remove",
        POST_MANAGE_SETTINGS_OBJ,
        kwargs=lambda w: {"year": w.override_year},
        method="post",
    ),
    Case("schools:calendar", PAGE_VIEW_SETTINGS),
    Case("schools:academic_year_create", PAGE_MANAGE_SETTINGS),
    Case("schools:term_create", PAGE_MANAGE_SETTINGS),
    Case("schools:term_edit", PAGE_MANAGE_SETTINGS_OBJ, kwargs=lambda w: {"pk": w.p.term.pk}),
    Case("schools:divisions", PAGE_VIEW_SETTINGS),
    Case("schools:division_create", PAGE_MANAGE_SETTINGS),
    Case("schools:division_edit", PAGE_MANAGE_SETTINGS_OBJ, kwargs=lambda w: {"pk": w.division.pk}),
    Case("schools:classes", PAGE_VIEW_SETTINGS),
    Case("schools:class_create", PAGE_MANAGE_SETTINGS),
    Case("schools:class_edit", PAGE_MANAGE_SETTINGS_OBJ, kwargs=lambda w: {"pk": w.p.school_class.pk}),
    # --- courses ------------------------------------------------------------------------------
    Case("courses:list", PAGE_ANY),
    Case("courses:create", PAGE_MANAGE_SETTINGS),
    # The student's course: the student, their homeroom teacher, its teacher, their parent, staff.
    Case("courses:detail", who(200, anonymous=302, other_teacher=404, outsider=404), kwargs=COURSE),
    Case("courses:edit", PAGE_MANAGE_SETTINGS_OBJ, kwargs=COURSE),
    Case(
        "courses:teacher_add",
        POST_MANAGE_SETTINGS_OBJ,
        kwargs=COURSE,
        method="post",
        data=lambda w: {"teacher": w.p.other_teacher.pk},
    ),
    Case(
        "courses:teacher_remove",
        POST_MANAGE_SETTINGS_OBJ,
        kwargs=lambda w: {"pk": w.p.course.pk, "user_id": w.p.subject_teacher.pk},
        method="post",
    ),
    Case("courses:enrolment_add", POST_MANAGE_SETTINGS_OBJ, kwargs=COURSE, method="post"),
    Case(
        "courses:enrolment_remove",
        POST_MANAGE_SETTINGS_OBJ,
        kwargs=lambda w: {"pk": w.p.course.pk, "student_id": w.p.student.pk},
        method="post",
    ),
    # --- audit --------------------------------------------------------------------------------
    Case("audit:activity", PAGE_REGISTRY),
    Case(
        "audit:object_history",
        PAGE_REGISTRY_OBJ,
        kwargs=lambda w: {"object_type": "people.student", "object_id": str(w.p.student.pk)},
    ),
    # --- API ----------------------------------------------------------------------------------
    Case("api-v1:openapi-json", PUBLIC),
    Case("api-v1:openapi-view", PUBLIC),
    Case("api-v1:api-root", who(404)),  # nothing lives at the bare prefix; the document is the index
    Case("api-v1:me", API_ANY),
    Case("api-v1:school_current", API_VIEW_SETTINGS),
    Case("api-v1:rules_get", API_VIEW_SETTINGS),
    Case("api-v1:rules_put", API_MANAGE_SETTINGS, method="put", data=lambda w: RULES),
    Case("api-v1:rules_patch", API_MANAGE_SETTINGS, method="patch", data=lambda w: {"document_max_mb": 4}),
    Case("api-v1:terms_list", API_VIEW_SETTINGS),
    Case("api-v1:classes_list", API_VIEW_SETTINGS),
    Case("api-v1:students_list", who(200, anonymous=401, student=403)),
    Case(
        "api-v1:student_create",
        who(403, anonymous=401, registry=OK, school_admin=OK, outsider=OK),
        method="post",
        data=lambda w: {
            "student_number": "1149999",
            "name": "新同學",
            "national_id": "A123456789",
            "birth_date": "2010-03-04",
            "sex": 1,
            "entry_year": 114,
        },
    ),
    Case(
        "api-v1:student_detail",
        who(200, anonymous=401, other_teacher=404, outsider=404),
        kwargs=lambda w: {"student_id": w.p.student.pk},
    ),
    Case("api-v1:staff_list", API_VIEW_SETTINGS),
    Case("api-v1:roles_table", API_VIEW_SETTINGS),
    Case("api-v1:roles_table_replace", API_MANAGE_ROLES, method="put", data=lambda w: {"table": {}}),
    Case("api-v1:role_grants_list", API_MANAGE_ROLES),
    # The user named is of school A: for school B's admin, no such user.
    Case(
        "api-v1:role_grant_create",
        who(403, anonymous=401, school_admin=OK, outsider=404),
        method="post",
        data=lambda w: {"user_id": w.p.other_teacher.pk, "role": "homeroom_teacher"},
    ),
    Case(
        "api-v1:role_grant_delete",
        who(403, anonymous=401, school_admin=OK, outsider=404),
        kwargs=lambda w: {"grant_id": w.p.subject_teacher.role_grants.get().pk},
        method="delete",
    ),
    Case("api-v1:proxies_list", API_ANY),
    Case(
        "api-v1:proxy_create",
        who(OK, anonymous=401, student=403, parent=403),
        method="post",
        data=lambda w: {
            "proxy_id": w.p.other_teacher.pk,
            "duty": "certify_course",
            "starts_on": "2025-09-01",
            "ends_on": "2025-12-31",
        },
    ),
    Case(
        "api-v1:proxy_delete",
        who(404, anonymous=401, other_teacher=403, subject_teacher=OK, school_admin=OK),
        kwargs=lambda w: {"assignment_id": w.proxy.pk},
        method="delete",
    ),
    Case("api-v1:course_list", API_ANY),
    Case(
        "api-v1:course_create",
        API_MANAGE_SETTINGS,
        method="post",
        data=lambda w: {
            "term": "114-1",
            "course_code": "114111111A11010100000002",
            "subject_name": "數學",
            "credits": 4,
            "teacher_ids": [w.p.subject_teacher.pk],
        },
    ),
    Case(
        "api-v1:course_detail",
        who(200, anonymous=401, other_teacher=404, outsider=404),
        kwargs=lambda w: {"course_id": w.p.course.pk},
    ),
    Case(
        "api-v1:enrolment_list",
        who(200, anonymous=401, other_teacher=404, outsider=404),
        kwargs=lambda w: {"course_id": w.p.course.pk},
    ),
    Case(
        "api-v1:enrolment_create",
        who(403, anonymous=401, school_admin=OK, outsider=404),
        kwargs=lambda w: {"course_id": w.p.course.pk},
        method="post",
        data=lambda w: {"student_number": w.p.student.student_number},
    ),
    Case("api-v1:list_entries", who(403, anonymous=401, registry=200, school_admin=200, outsider=200)),
    Case("api-v1:token_list", API_ANY),
    Case("api-v1:token_create", who(201, anonymous=401), method="post", data=lambda w: {"name": "script"}),
    Case(
        "api-v1:token_revoke",
        who(404, anonymous=401, subject_teacher=204),
        kwargs=lambda w: {"token_id": w.token.pk},
        method="delete",
    ),
    Case(
        "api-v1:import_status",
        who(403, anonymous=401, registry=200, school_admin=200, outsider=404),
        kwargs=lambda w: {"import_id": w.account_import.pk},
    ),
]


# Each capability keeps its rows in its own module: ``CASES`` (a list of ``Case``) and
# ``extend(world)`` which adds the objects its routes point at to ``world.extra``.
MATRIX_MODULES: list[Any] = [
    matrix_counselling,
    matrix_files,
    matrix_notifications,
    matrix_portfolio,
    matrix_performances,
    matrix_records,
    matrix_records_cadre,
    matrix_records_office,
    matrix_verification,
    matrix_schedule,
    matrix_progress,
    matrix_announcements,
    matrix_workinggroup,
    matrix_submissions,
    matrix_receipts,
    matrix_lifecycle,
    matrix_backups,
    matrix_credentials,
    matrix_portability,
    matrix_binding,
    matrix_sso,
]
for module in MATRIX_MODULES:
    CASES.extend(module.CASES)


def build_world(p: Personas) -> World:
    from licheng.accounts.tokens import api_token_create
    from licheng.audit.services import Actor
    from licheng.schools.services import rules_override_for_year

    override = rules_override_for_year(
        actor=Actor(user=p.school_admin), school=p.school, academic_year=p.term.academic_year
    )
    token, _raw = api_token_create(actor=Actor(user=p.subject_teacher), user=p.subject_teacher, name="mine")
    world = World(
        p=p,
        division=Division.objects.filter(school=p.school).first(),  # type: ignore[arg-type]
        staff=StaffMember.objects.get(user=p.subject_teacher),
        parent_link=ParentLink.objects.get(parent=p.parent),
        proxy=ProxyAssignment.objects.create(
            school=p.school,
            principal=p.subject_teacher,
            proxy=p.other_teacher,
            duty="certify_course",
            course=p.course,
            order=1,
            starts_on=datetime.date(2025, 8, 1),
            ends_on=datetime.date(2026, 1, 31),
        ),
        account_import=AccountImport.objects.create(
            school=p.school, kind="students", file_name="students.xlsx", created_by=p.registry
        ),
        applied_import=AccountImport.objects.create(
            school=p.school,
            kind="students",
            file_name="applied.xlsx",
            created_by=p.registry,
            status=AccountImport.Status.APPLIED,
        ),
        token=token,
        override_year=override.academic_year.year,  # type: ignore[union-attr]
    )
    for module in MATRIX_MODULES:
        module.extend(world)
    return world


def _request(client: Client, case: Case, world: World) -> int:
    url = reverse(case.name, kwargs=case.kwargs(world))
    data = case.data(world) if case.data else {}
    if case.name.startswith("api-v1:") and case.method != "get":
        response = getattr(client, case.method)(url, data=json.dumps(data), content_type="application/json")
    else:
        response = getattr(client, case.method)(url, data=data)
    return int(response.status_code)


def _matches(expected: int | str, status: int) -> bool:
    if expected == OK:
        return status not in (401, 403, 404, 405) and status < 500
    return status == expected


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_route_answers_each_persona_as_expected(case: Case, personas: Personas) -> None:
    world = build_world(personas)
    users = personas.by_name()
    wrong = []
    for persona in PERSONAS:
        client = Client(enforce_csrf_checks=False)
        with transaction.atomic():
            if persona != "anonymous":
                client.force_login(users[persona])
            status = _request(client, case, world)
            transaction.set_rollback(True)
        if not _matches(case.expect[persona], status):
            wrong.append(f"{persona}: expected {case.expect[persona]}, got {status}")
    assert not wrong, f"{case.name}: " + "; ".join(wrong)


def _route_names(resolver: URLResolver, namespace: str | None = None) -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            full = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            names |= _route_names(pattern, full)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"unnamed route {pattern.pattern}"
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_route_is_in_the_matrix() -> None:
    routes = _route_names(get_resolver())
    covered = {case.name for case in CASES}
    assert routes - covered == set(), "routes missing from the permission matrix"
    assert covered - routes == set(), "matrix names routes that do not exist"


# --- a user of another school answers exactly like a user that does not exist --------------------
#
# Every route that takes a person (by id, student number or username) or a role grant is asked by a
# member of school A about strangers: a user of school B, a student of school B and the deployment
# operator (who belongs to no school and holds a grant in school A). Each answer must be the answer
# about a person that does not exist, byte for byte once the key itself is set aside, and must not
# name the stranger.

UNKNOWN_ID = 987654
UNKNOWN_TEXT = "nobody-here"


@dataclasses.dataclass
class StrangerCase:
    label: str
    name: str
    persona: str
    key: Callable[[World, str], Any]
    """The key the request names for the target (``"unknown"`` or a stranger's name)."""
    method: str = "get"
    kwargs: Callable[[World, Any], dict[str, Any]] = lambda w, key: {}
    data: Callable[[World, Any], dict[str, Any]] = lambda w, key: {}


def _strangers(w: World) -> dict[str, Any]:
    return w.extra["strangers"]  # type: ignore[no-any-return]


def _user_pk(w: World, target: str) -> Any:
    return UNKNOWN_ID if target == "unknown" else _strangers(w)[target].pk


def _username(w: World, target: str) -> Any:
    return UNKNOWN_TEXT if target == "unknown" else _strangers(w)[target].username


def _student_number(w: World, target: str) -> Any:
    if target == "unknown":
        return "1199999"
    return w.extra["other_student"].student_number if target == "other_student" else None


def _grant_pk(w: World, target: str) -> Any:
    return UNKNOWN_ID if target == "unknown" else w.extra["stranger_grants"].get(target)


def _extension(key: Any, field: str = "person") -> dict[str, Any]:
    return {
        field: key,
        "work_item": "receipt_confirmation",
        "until": (datetime.date.today() + datetime.timedelta(days=3)).isoformat(),
        "reason": "公假",
    }


STRANGER_CASES = [
    StrangerCase(
        "grant a role by API",
        "api-v1:role_grant_create",
        "school_admin",
        _user_pk,
        method="post",
        data=lambda w, key: {"user_id": key, "role": "registry"},
    ),
    StrangerCase(
        "list a user's grants by API",
        "api-v1:role_grants_list",
        "school_admin",
        _user_pk,
        data=lambda w, key: {"user_id": key},
    ),
    StrangerCase(
        "revoke a grant by API",
        "api-v1:role_grant_delete",
        "school_admin",
        _grant_pk,
        method="delete",
        kwargs=lambda w, key: {"grant_id": key},
    ),
    StrangerCase("roles page", "people:user_roles", "school_admin", _user_pk, kwargs=lambda w, key: {"pk": key}),
    StrangerCase(
        "grant a role on the page",
        "people:user_roles",
        "school_admin",
        _user_pk,
        method="post",
        kwargs=lambda w, key: {"pk": key},
        data=lambda w, key: {"role": "registry"},
    ),
    StrangerCase(
        "revoke a role on the page",
        "people:user_role_revoke",
        "school_admin",
        _user_pk,
        method="post",
        kwargs=lambda w, key: {"pk": key, "role": "school_admin"},
    ),
    StrangerCase(
        "extension by username",
        "schedule:extensions",
        "registry",
        _username,
        method="post",
        data=lambda w, key: _extension(key),
    ),
    StrangerCase(
        "extension by student number",
        "schedule:extensions",
        "registry",
        _student_number,
        method="post",
        data=lambda w, key: _extension(key),
    ),
    StrangerCase(
        "portfolio extension by username",
        "portfolio:extensions",
        "school_admin",
        _username,
        method="post",
        data=lambda w, key: {
            "username": key,
            "term": w.p.term.pk,
            "kind": "upload",
            "until": "2099-01-01",
            "reason": "公假",
        },
    ),
    StrangerCase(
        "link a parent by username",
        "people:parent_link",
        "registry",
        _username,
        method="post",
        kwargs=lambda w, key: {"pk": w.p.student.pk},
        data=lambda w, key: {"username": key, "relation": "父"},
    ),
    StrangerCase(
        "name a proxy by API",
        "api-v1:proxy_create",
        "school_admin",
        _user_pk,
        method="post",
        data=lambda w, key: {
            "principal_id": w.p.subject_teacher.pk,
            "proxy_id": key,
            "duty": "certify_course",
            "starts_on": "2025-09-01",
            "ends_on": "2025-12-31",
        },
    ),
]
STRANGERS = ("outsider", "operator", "other_student")
_VOLATILE = re.compile(r'(name="csrfmiddlewaretoken" value=|nonce=|"X-CSRFToken": )"[^"]*"')


def _answer(client: Client, case: StrangerCase, world: World, target: str) -> tuple[int, str, str] | None:
    key = case.key(world, target)
    if key is None:
        return None  # this stranger has no such key (e.g. the operator has no student number)
    url = reverse(case.name, kwargs=case.kwargs(world, key))
    data = case.data(world, key)
    with transaction.atomic():
        if case.name.startswith("api-v1:") and case.method not in ("get", "delete"):
            response = getattr(client, case.method)(url, data=json.dumps(data), content_type="application/json")
        else:
            response = getattr(client, case.method)(url, data=data)
        transaction.set_rollback(True)
    body = response.content.decode()
    location = response.get("Location", "")
    body = body.replace(url, "URL")  # pages that echo their own address
    for text in {str(key), str(UNKNOWN_ID)} if len(str(key)) >= 5 else ():  # short ids are not echoed
        own = re.compile(rf"(?<![\w\\]){re.escape(text)}(?!\w)")
        body, location = own.sub("KEY", body), own.sub("KEY", location)
    return response.status_code, _VOLATILE.sub(r"\1''", body), location


@pytest.fixture
def stranger_world(personas: Personas) -> World:
    from licheng.people.models import RoleGrant
    from licheng.testing.factories import SchoolClassFactory, StudentFactory

    world = build_world(personas)
    # Sorted before school A's class 101, so a look-up across schools would find school B's student first.
    other_class = SchoolClassFactory.create(school=personas.other_school, grade=10, name="100")
    other_student = StudentFactory.create(school_class=other_class, student_number="1140777", name="外校生")
    operator_grant = RoleGrant.objects.create(school=personas.school, user=personas.operator, role="school_admin")
    world.extra["strangers"] = {
        "outsider": personas.outsider,
        "operator": personas.operator,
        "other_student": other_student.user,
    }
    world.extra["stranger_grants"] = {"operator": operator_grant.pk}
    world.extra["other_student"] = other_student
    return world


@pytest.mark.parametrize("case", STRANGER_CASES, ids=[case.label for case in STRANGER_CASES])
def test_a_user_of_another_school_answers_like_no_user(case: StrangerCase, stranger_world: World) -> None:
    from licheng.audit.models import AuditEntry
    from licheng.people.models import RoleGrant

    users = stranger_world.p.by_name()
    client = Client()
    client.force_login(users[case.persona])
    unknown = _answer(client, case, stranger_world, "unknown")
    assert unknown is not None
    before = (RoleGrant.objects.count(), AuditEntry.objects.count())
    for target in STRANGERS:
        answer = _answer(client, case, stranger_world, target)
        if answer is None:
            continue
        difference = "\n".join(difflib.unified_diff(unknown[1].splitlines(), answer[1].splitlines(), lineterm=""))
        assert answer == unknown, f"{case.label}: {target} answers differently from an unknown person\n{difference}"
        stranger = _strangers(stranger_world)[target]
        assert stranger.name not in answer[1], f"{case.label}: {target}'s name leaks"
    assert (RoleGrant.objects.count(), AuditEntry.objects.count()) == before


def test_an_extension_by_a_number_both_schools_use_goes_to_the_own_student(stranger_world: World) -> None:
    """Look-ups by a human key are scoped to the school first: the number of school A's student that
    school B also uses finds school A's student."""
    from licheng.schedule.models import ScheduleExtension
    from licheng.testing.factories import StudentFactory

    p = stranger_world.p
    twin = StudentFactory.create(
        school_class=stranger_world.extra["other_student"].school_class, student_number=p.student.student_number
    )
    assert twin.school_id == p.other_school.pk
    client = Client()
    client.force_login(p.registry)
    response = client.post(reverse("schedule:extensions"), _extension(p.student.student_number))
    assert response.status_code == 302, response.content.decode()[:2000]
    extension = ScheduleExtension.objects.exclude(pk=stranger_world.extra["schedule_extension"].pk).get()
    assert extension.user_id == p.student_user.pk
