"""The backups page, the home-page alarm and the health answer for monitoring."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from licheng.backups.models import BackupRun, ScrubRun
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db
URL = reverse("backups:status")


def good_backup(hours_ago: float) -> BackupRun:
    run = BackupRun.objects.create(ok=True, name=f"run-{hours_ago}", rows=120, files=7, files_copied=2)
    finished = timezone.now() - datetime.timedelta(hours=hours_ago)
    BackupRun.objects.filter(pk=run.pk).update(
        started_at=finished - datetime.timedelta(minutes=1), finished_at=finished
    )
    run.refresh_from_db()
    return run


def test_school_admin_is_alarmed_when_no_backup_has_succeeded(personas: Personas) -> None:
    page = client_in("en", personas.school_admin).get(URL).content.decode()
    assert "No backup has succeeded yet." in page
    home = client_in("en", personas.school_admin).get(reverse("home")).content.decode()
    assert "No backup has succeeded yet." in home and URL in home


def test_a_recent_backup_shows_without_alarm(personas: Personas) -> None:
    good_backup(hours_ago=2)
    page = client_in("en", personas.school_admin).get(URL).content.decode()
    assert "Backed up" in page and "more than" not in page
    assert "run-2" in page


def test_a_backup_older_than_the_setting_alarms(personas: Personas, settings: object) -> None:
    settings.BACKUP_MAX_AGE_HOURS = 26  # type: ignore[attr-defined]
    good_backup(hours_ago=30)
    BackupRun.objects.create(
        ok=False, error="The backup location /mnt/backup is not writable.", finished_at=timezone.now()
    )
    page = client_in("en", personas.school_admin).get(URL).content.decode()
    assert "The last good backup is more than 26 hours old" in page
    assert "is not writable" in page and "Failed" in page
    home = client_in("en", personas.school_admin).get(reverse("home")).content.decode()
    assert "The last good backup is more than 26 hours old" in home


def test_the_page_speaks_the_default_language(personas: Personas) -> None:
    page = client_in("zh-hant", personas.school_admin).get(URL).content.decode()
    assert "備份" in page


def test_operators_see_the_page_without_choosing_a_school(personas: Personas) -> None:
    good_backup(hours_ago=1)
    response = client_in("en", personas.operator).get(URL)
    assert response.status_code == 200
    assert "run-1" in response.content.decode()


def test_scrub_results_are_shown(personas: Personas) -> None:
    ScrubRun.objects.create(checked=10, ok=8, repaired=1, unrecoverable=1, finished_at=timezone.now())
    page = client_in("en", personas.school_admin).get(URL).content.decode()
    assert "10 files read, 8 intact, 1 repaired from the backup, 1 unrecoverable" in page
    assert "Tell the platform's operators" in page


def test_health_answer_for_monitoring(client: object, settings: object) -> None:
    settings.BACKUP_MAX_AGE_HOURS = 26  # type: ignore[attr-defined]
    health = reverse("backups:health")
    response = client.get(health)  # type: ignore[attr-defined]
    assert response.status_code == 503 and response.json()["status"] == "stale"
    good_backup(hours_ago=1)
    response = client.get(health)  # type: ignore[attr-defined]
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and 0.9 < body["age_hours"] < 1.1 and body["max_age_hours"] == 26


def test_page_queries_do_not_grow_with_runs(personas: Personas, django_assert_max_num_queries: object) -> None:
    client = client_in("en", personas.school_admin)
    for n in range(3):
        good_backup(hours_ago=n + 1)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(URL).status_code == 200
    for n in range(40):
        good_backup(hours_ago=n + 10)
        BackupRun.objects.create(ok=False, error="disk full")
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(URL).status_code == 200
