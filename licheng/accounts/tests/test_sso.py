"""Signing in through a real OpenID Connect provider (``licheng.testing.oidc_provider``, its own
process on loopback): first sign-in by the school's rule, confirmation, linking, refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from licheng.accounts.models import ExternalIdentity
from licheng.accounts.tests.conftest import sign_in
from licheng.accounts.tests.provider import Provider
from licheng.audit.models import AuditEntry
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def test_a_student_links_on_first_sign_in_after_confirming(educloud: Provider, personas: Personas) -> None:
    client = Client()
    response = sign_in(client, "cloud-student")
    assert response.status_code == 302 and response["Location"] == "/sso/link/"
    page = client.get("/sso/link/")
    text = page.content.decode()
    assert "陳小明" in text and "101" in text and "S0001" in text
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in client.session

    done = client.post("/sso/link/", {"confirm": ""})

    assert done.status_code == 302 and done["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == personas.student_user.pk
    link = ExternalIdentity.objects.get()
    assert (link.user, link.provider) == (personas.student_user, "educloud")
    assert AuditEntry.objects.filter(action="account.identity_link", object_id=str(link.pk)).exists()
    # The next sign-in goes straight in, without asking again.
    again = Client()
    assert sign_in(again, "cloud-student")["Location"] == "/"
    assert int(again.session["_auth_user_id"]) == personas.student_user.pk
