"""The periodic runner enqueues each job once when it is due, however often it checks."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django_tasks import task
from django_tasks.base import Task

from licheng.core import periodic
from licheng.core.periodic import PeriodicJob, enqueue_due

CALLS: list[str] = []
TAIPEI = zoneinfo.ZoneInfo("Asia/Taipei")


@task()
def record_call() -> None:
    CALLS.append("ran")


DAILY = PeriodicJob("test_daily", f"{__name__}.record_call", daily_at=datetime.time(7, 0))
HOURLY = PeriodicJob("test_hourly", f"{__name__}.record_call", every=datetime.timedelta(hours=1))


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=TAIPEI)


@pytest.fixture(autouse=True)
def _calls() -> None:
    CALLS.clear()


@pytest.mark.django_db
def test_a_daily_job_runs_once_a_day_after_its_time() -> None:
    assert enqueue_due(at(22, 6, 59), [DAILY]) == []
    assert enqueue_due(at(22, 7, 0), [DAILY]) == ["test_daily"]
    assert enqueue_due(at(22, 7, 1), [DAILY]) == []
    assert enqueue_due(at(22, 23, 59), [DAILY]) == []
    assert enqueue_due(at(23, 7, 30), [DAILY]) == ["test_daily"]
    assert CALLS == ["ran", "ran"]


@pytest.mark.django_db
def test_a_runner_that_was_down_catches_up_once() -> None:
    enqueue_due(at(20, 7, 0), [DAILY])
    # Down for two days: one run when it comes back, not one per missed day.
    assert enqueue_due(at(22, 12, 0), [DAILY]) == ["test_daily"]
    assert enqueue_due(at(22, 12, 1), [DAILY]) == []
    assert len(CALLS) == 2


@pytest.mark.django_db
def test_an_interval_job_waits_its_interval() -> None:
    assert enqueue_due(at(22, 8, 0), [HOURLY]) == ["test_hourly"]
    assert enqueue_due(at(22, 8, 59), [HOURLY]) == []
    assert enqueue_due(at(22, 9, 0), [HOURLY]) == ["test_hourly"]


@pytest.mark.django_db
def test_the_command_checks_once_for_cron(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(periodic, "JOBS", [HOURLY])
    monkeypatch.setattr("licheng.core.management.commands.periodic.JOBS", [HOURLY])
    out = io.StringIO()
    call_command("periodic", "--once", stdout=out)
    call_command("periodic", "--once", stdout=out)
    assert out.getvalue().count("enqueued test_hourly") == 1
    assert CALLS == ["ran"]


def test_every_periodic_job_is_a_task_that_takes_no_arguments() -> None:
    for job in periodic.JOBS:
        assert isinstance(periodic.task_of(job), Task), job.task
