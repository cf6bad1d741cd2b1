"""The API refuses what the pages refuse, with the same messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from licheng.performances.models import Performance, Writing
from licheng.performances.tests.conftest import add_work, client_for, set_rules
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db

WORK = {"kind": 8, "description": "作品", "fields": {"name": "模型", "date": "2025-10-01"}}


def post(client: Any, url: str, data: object) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_create_list_and_refuse_bad_links(windows_open: Personas) -> None:
    client = client_for(windows_open.student_user)
    response = post(client, "/api/v1/performances/mine", WORK)
    assert response.status_code == 201, response.content
    assert response.json()["staff_verified"] is False
    response = post(client, "/api/v1/performances/mine", {**WORK, "external_link": "javascript:alert(1)"})
    assert response.status_code == 422
    assert response.json()["field"] == "external_link"
    assert Performance.objects.count() == 1
    listed = client.get("/api/v1/performances/mine").json()
    assert [p["description"] for p in listed] == ["作品"]
    codes = client.get("/api/v1/performances/codes").json()
    assert len(codes["kinds"]) == 10 and "cadre_level" in codes["tables"]


def test_select_with_counters_and_cap(windows_open: Personas) -> None:
    set_rules(windows_open, performances_selected=1)
    first, second = add_work(windows_open), add_work(windows_open)
    client = client_for(windows_open.student_user)
    response = client.post(f"/api/v1/performances/mine/{first.pk}/select")
    assert response.json()["selected"] == 1 and response.json()["selection_cap"] == 1
    response = client.post(f"/api/v1/performances/mine/{second.pk}/select")
    assert response.status_code == 422
    assert client.delete(f"/api/v1/performances/mine/{first.pk}/select").json()["selected"] == 0
    assert client_for(windows_open.parent).post(f"/api/v1/performances/mine/{first.pk}/select").status_code == 403


def test_writings_put_is_sanitised_and_reviewable(personas: Personas) -> None:
    client = client_for(personas.student_user)
    response = client.put(
        "/api/v1/performances/writings/study_plan",
        json.dumps({"sections": {"career_plan": '<p>讀資工<script>x()</script><a href="data:text/html,x">a</a></p>'}}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["sections"]["career_plan"] == '<p>讀資工<a rel="noopener noreferrer nofollow">a</a></p>'
    writing = Writing.objects.get()
    homeroom = client_for(personas.homeroom_teacher)
    response = post(
        homeroom, f"/api/v1/performances/writings/{writing.pk}/reviews", {"role": "homeroom", "comment": "好"}
    )
    assert response.status_code == 200 and response.json()["reviews"][0]["checked"] is True
    response = post(
        client_for(personas.parent), f"/api/v1/performances/writings/{writing.pk}/reviews", {"role": "homeroom"}
    )
    assert response.status_code == 403
