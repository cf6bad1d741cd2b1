from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from licheng.audit.services import Actor
from licheng.people.models import User
from licheng.performances import services
from licheng.performances.models import Performance
from licheng.schools.models import SchoolRules
from licheng.testing.factories import make_staff
from licheng.testing.personas import Personas


def open_windows(p: Personas, *, upload: bool = True, selection: bool = True) -> None:
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    term = p.term
    term.upload_opens_on, term.upload_closes_on = (today - day, today + day) if upload else (None, None)
    term.selection_opens_on, term.selection_closes_on = (today - day, today + day) if selection else (None, None)
    term.save()


def set_rules(p: Personas, **values: int) -> None:
    SchoolRules.objects.filter(school=p.school).update(**values)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


WORK = {"f_name": "校刊封面設計", "f_date": "2025-10-01"}


def add_work(p: Personas, description: str = "我的作品") -> Performance:
    return services.performance_create(
        actor=Actor(user=p.student_user),
        school=p.school,
        kind=8,
        description=description,
        fields={"name": "作品", "date": "2025-10-01"},
    )


@pytest.fixture
def windows_open(personas: Personas) -> Personas:
    open_windows(personas)
    return personas


@pytest.fixture
def guidance(personas: Personas) -> User:
    return make_staff(personas.school, "guidance", username="guidance", name="輔導老師")


@pytest.fixture
def storage_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "files"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None, "file_permissions_mode": 0o600},
        },
    }
    return root
