"""``/api/v1/schools``: the same permissions and tenancy as the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from licheng.schools.models import SchoolRules
from licheng.testing.personas import Personas


def api(user: object) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_school_and_current_term(personas: Personas) -> None:
    data = api(personas.subject_teacher).get("/api/v1/schools/current").json()
    assert data["code"] == "111111"
    assert data["divisions"] == [{"code": 1, "name": "日間部"}]
    assert data["current_term"] is None or data["current_term"]["label"] == "114-1"


@pytest.mark.parametrize("who", ["student", "parent"])
def test_students_and_parents_do_not_read_settings(personas: Personas, who: str) -> None:
    client = api(personas.by_name()[who])
    for path in ("/api/v1/schools/current", "/api/v1/schools/rules", "/api/v1/schools/terms"):
        assert client.get(path).status_code == 403


def test_anonymous_callers_are_refused(client: Client, personas: Personas) -> None:
    assert client.get("/api/v1/schools/rules").status_code == 401


def test_effective_rules_per_year(personas: Personas) -> None:
    admin = api(personas.school_admin)
    response = admin.patch(
        "/api/v1/schools/rules?year=114", json.dumps({"performances_per_year": 20}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["academic_year"] == 114
    teacher = api(personas.subject_teacher)
    assert teacher.get("/api/v1/schools/rules?year=114").json()["performances_per_year"] == 20
    assert teacher.get("/api/v1/schools/rules?year=115").json()["performances_per_year"] == 30
    standing = teacher.get("/api/v1/schools/rules").json()
    assert standing["academic_year"] is None and standing["receipt_confirmation_days"] == 3


def test_put_replaces_the_standing_rules(personas: Personas) -> None:
    admin = api(personas.school_admin)
    body = {name: getattr(SchoolRules(), name) for name in SchoolRules.NUMBER_FIELDS}
    body["graduate_retention_years"] = 3
    response = admin.put("/api/v1/schools/rules", json.dumps(body), content_type="application/json")
    assert response.status_code == 200 and response.json()["graduate_retention_years"] == 3
    assert SchoolRules.objects.get(school=personas.school, academic_year=None).graduate_retention_years == 3


def test_bad_rules_answer_422_and_change_nothing(personas: Personas) -> None:
    admin = api(personas.school_admin)
    response = admin.patch(
        "/api/v1/schools/rules?year=114",
        json.dumps({"receipt_confirmation_days": 1}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "receipt_confirmation_days" and response.json()["message"]
    assert SchoolRules.objects.filter(school=personas.school).count() == 1  # no override left behind


@pytest.mark.parametrize("who", ["subject_teacher", "registry", "student"])
def test_only_managers_change_rules(personas: Personas, who: str) -> None:
    response = api(personas.by_name()[who]).patch(
        "/api/v1/schools/rules", json.dumps({"media_max_mb": 1}), content_type="application/json"
    )
    assert response.status_code == 403
    assert SchoolRules.objects.get(school=personas.school, academic_year=None).media_max_mb == 10


def test_outsider_changes_only_their_own_school(personas: Personas) -> None:
    response = api(personas.outsider).patch(
        "/api/v1/schools/rules", json.dumps({"media_max_mb": 1}), content_type="application/json"
    )
    assert response.status_code == 200
    assert SchoolRules.objects.get(school=personas.school, academic_year=None).media_max_mb == 10
    assert api(personas.outsider).get("/api/v1/schools/rules?year=114").json()["media_max_mb"] == 1
    assert api(personas.outsider).get("/api/v1/schools/classes").json() == []


def test_terms_and_classes(personas: Personas) -> None:
    client = api(personas.registry)
    terms = client.get("/api/v1/schools/terms").json()
    assert [(t["label"], t["starts_on"]) for t in terms] == [("114-1", "2025-08-01")]
    classes = client.get("/api/v1/schools/classes?year=114&grade=10").json()
    assert [(c["name"], c["homeroom_teacher"]) for c in classes] == [("101", "王導師")]
    assert client.get("/api/v1/schools/classes?grade=12").json() == []


def test_rules_schemas_carry_every_school_rule() -> None:
    """A new number in ``SchoolRules`` must appear in the API too."""
    from licheng.schools.api import RulesIn, RulesPatch
    from licheng.schools.models import SchoolRules

    assert set(RulesIn.model_fields) == set(SchoolRules.NUMBER_FIELDS)
    assert set(RulesPatch.model_fields) == set(SchoolRules.NUMBER_FIELDS)
