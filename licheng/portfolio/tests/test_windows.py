"""The window question in one place: dates inclusive, unset means closed, extensions per person."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.portfolio.services import window_extension_grant
from licheng.portfolio.tests.conftest import World
from licheng.portfolio.windows import window_open

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_window_dates_are_inclusive_and_unset_means_closed(world: World) -> None:
    term, student = world.p.term, world.p.student_user
    world.windows(upload_opens_on=world.today, upload_closes_on=world.today)
    assert window_open("upload", term, student, world.today)
    assert not window_open("upload", term, student, world.today + DAY)
    assert not window_open("upload", term, student, world.today - DAY)
    world.windows(upload_opens_on=None, upload_closes_on=None)
    assert not window_open("upload", term, student, world.today)


def test_an_extension_keeps_the_window_open_for_that_person_only(world: World) -> None:
    term, p = world.p.term, world.p
    world.windows(upload_opens_on=world.today - 10 * DAY, upload_closes_on=world.today - DAY)
    window_extension_grant(
        actor=Actor(user=p.registry),
        user=p.student_user,
        kind="upload",
        term=term,
        until=world.today + DAY,
        reason="病假",
    )
    assert window_open("upload", term, p.student_user, world.today)
    assert window_open("upload", term, p.student_user, world.today + DAY)
    assert not window_open("upload", term, p.student_user, world.today + 2 * DAY)
    assert not window_open("certification", term, p.student_user, world.today - 20 * DAY)
    other = p.homeroom_teacher
    assert not window_open("upload", term, other, world.today)


def test_extensions_are_refused_without_permission_reason_or_future_date(world: World) -> None:
    p = world.p
    args: dict[str, Any] = {"user": p.student_user, "kind": "upload", "term": p.term}
    with pytest.raises(ServiceError):
        window_extension_grant(actor=Actor(user=p.subject_teacher), until=world.today, reason="x", **args)
    with pytest.raises(ServiceError):
        window_extension_grant(actor=Actor(user=p.registry), until=world.today, reason=" ", **args)
    with pytest.raises(ServiceError):
        window_extension_grant(actor=Actor(user=p.registry), until=world.today - DAY, reason="x", **args)
    with pytest.raises(ServiceError):
        window_extension_grant(
            actor=Actor(user=p.registry), user=p.outsider, kind="upload", term=p.term, until=world.today, reason="x"
        )
