"""The OpenAPI document is valid OpenAPI 3 and lists every route the API serves."""

from __future__ import annotations

import pytest
from django.test import Client
from openapi_spec_validator import validate

from licheng.api.api import api
from licheng.testing.personas import PASSWORD, Personas


@pytest.mark.django_db
def test_openapi_document_is_valid_openapi_3(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    validate(document)


@pytest.mark.django_db
def test_openapi_lists_every_mounted_route(client: Client) -> None:
    documented = set(client.get("/api/v1/openapi.json").json()["paths"])
    served = set()
    for prefix, router in api._routers:
        for path in router.path_operations:
            served.add(("/api/v1" + prefix + path).replace("//", "/").rstrip("/") or "/")
    documented = {path.rstrip("/") for path in documented}
    assert served <= documented
    assert "/api/v1/me" in documented


def test_me_requires_authentication(client: Client, personas: Personas) -> None:
    assert client.get("/api/v1/me").status_code == 401
    client.login(username="registry", password=PASSWORD)
    body = client.get("/api/v1/me").json()
    assert body["school_code"] == personas.school.code
    assert "registry" in body["roles"]
    assert "people.view_national_id" in body["permissions"]
