"""List pages cost the same number of queries however many rows they show."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licheng.audit.services import Actor
from licheng.people import proxies
from licheng.people.models import Duty
from licheng.people.roles import Role
from licheng.testing.factories import make_course, make_staff
from licheng.testing.personas import Personas


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_staff_list(personas: Personas, as_user: Any) -> None:
    client = as_user(personas.school_admin)
    url = reverse("people:staff_list")
    client.get(url)
    few = _queries(client, url)
    for n in range(20):
        make_staff(personas.school, Role.SUBJECT_TEACHER, Role.GUIDANCE, username=f"t{n}")
    # session, user with school, role grants, role permissions, page count, staff rows with users,
    # their role grants (one prefetch), plus the session save.
    assert _queries(client, url) == few


def test_proxy_list(personas: Personas, as_user: Any) -> None:
    group = make_staff(personas.school, Role.WORKING_GROUP, username="wg")
    client = as_user(group)
    url = reverse("people:proxy_list")
    day = datetime.date(2025, 9, 1)

    def assign(n: int) -> None:
        teacher = make_staff(personas.school, Role.SUBJECT_TEACHER, username=f"p{n}")
        course = make_course(personas.term, teacher, subject=f"科目{n}", school_class=personas.school_class)
        proxies.proxy_assign(
            actor=Actor(user=group),
            school=personas.school,
            principal=teacher,
            proxy=personas.other_teacher,
            duty=Duty.CERTIFY_COURSE,
            course=course,
            starts_on=day,
            ends_on=day,
        )

    assign(0)
    client.get(url)
    few = _queries(client, url)
    for n in range(1, 15):
        assign(n)
    # session, user with school, role grants, role permissions, staff check, page count, assignments
    # with principal, proxy, course, term, year and class, plus the session save.
    assert _queries(client, url) == few
