from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from licheng.people.models import User
from licheng.testing.factories import fictional_national_id
from licheng.testing.personas import Personas


@pytest.fixture
def as_user(client: Client) -> Any:
    """``as_user(user)`` logs the test client in as ``user`` and returns it."""

    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login


def student_form_data(personas: Personas, **overrides: Any) -> dict[str, Any]:
    data = {
        "student_number": "1149999",
        "name": "林小華",
        "national_id": fictional_national_id(2),
        "birth_date": "098.03.15",
        "sex": "2",
        "division": str(personas.school_class.division_id),
        "school_class": str(personas.school_class.pk),
        "seat": "",  # factory seats in class 101 keep counting; a fixed number could collide
        "entry_year": "114",
    }
    data.update(overrides)
    return data


TODAY = datetime.date.today()


# The browser fixtures (Chromium through Playwright) live with core's browser tests.
from licheng.core.tests.conftest import chromium, desktop_page, phone_page, screenshot_dir  # noqa: E402, F401
