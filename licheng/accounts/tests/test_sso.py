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
    personas.student_user.must_change_password = True  # an initial password: SSO does not ask for a new one
    personas.student_user.save()
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


def test_nobody_matching_gets_the_no_account_page_and_a_pending_identity(
    educloud: Provider, personas: Personas
) -> None:
    client = Client()
    response = sign_in(client, "cloud-stranger")
    assert response["Location"] == "/sso/no-account/"
    page = client.get("/sso/no-account/").content.decode()
    assert "沒有與它連結的帳號" in page
    pending = client.session["sso_pending_identity"]
    assert pending["provider"] == "educloud" and pending["school_id"] == personas.school.pk
    assert pending["name"] == "林大同" and pending["subject"]
    assert "_auth_user_id" not in client.session
    assert not ExternalIdentity.objects.exists()


def test_a_teacher_is_never_matched_by_a_rule_but_links_from_the_account_page(
    educloud: Provider, personas: Personas
) -> None:
    client = Client()
    assert sign_in(client, "cloud-teacher")["Location"] == "/sso/no-account/"
    assert "_auth_user_id" not in client.session

    client.force_login(personas.subject_teacher)
    page = client.get("/accounts/").content.decode()
    assert "李老師" in page and "甲高級中學" in page and "連結教育雲端帳號" in page
    response = sign_in(client, "cloud-teacher")
    assert response["Location"] == "/accounts/"
    link = ExternalIdentity.objects.get(user=personas.subject_teacher)
    assert "解除教育雲端連結" in client.get("/accounts/").content.decode()

    fresh = Client()
    assert sign_in(fresh, "cloud-teacher")["Location"] == "/"
    assert int(fresh.session["_auth_user_id"]) == personas.subject_teacher.pk

    client.post(f"/accounts/identities/{link.pk}/unlink/")
    assert not ExternalIdentity.objects.exists()
    assert AuditEntry.objects.filter(action="account.identity_unlink").exists()


def test_an_account_of_one_school_cannot_link_an_identity_of_another(educloud: Provider, personas: Personas) -> None:
    client = Client()
    client.force_login(personas.outsider)
    response = sign_in(client, "cloud-teacher")
    assert response.status_code == 403
    assert "屬於其他學校" in response.content.decode()
    assert not ExternalIdentity.objects.exists()


def test_one_identity_links_to_one_account_only(educloud: Provider, personas: Personas) -> None:
    client = Client()
    client.force_login(personas.subject_teacher)
    sign_in(client, "cloud-teacher")
    other = Client()
    other.force_login(personas.other_teacher)
    response = sign_in(other, "cloud-teacher")
    assert response.status_code == 403
    assert ExternalIdentity.objects.get().user == personas.subject_teacher


def test_a_closed_account_is_not_signed_in(educloud: Provider, personas: Personas) -> None:
    client = Client()
    client.force_login(personas.subject_teacher)
    sign_in(client, "cloud-teacher")
    personas.subject_teacher.is_active = False
    personas.subject_teacher.save()
    fresh = Client()
    response = sign_in(fresh, "cloud-teacher")
    assert response.status_code == 403 and "帳號已停用" in response.content.decode()
    assert "_auth_user_id" not in fresh.session


def test_declining_the_link_links_nothing(educloud: Provider) -> None:
    client = Client()
    sign_in(client, "cloud-student")
    client.post("/sso/link/", {"cancel": ""})
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in client.session


def test_the_national_id_rule_finds_the_student(educloud: Provider, personas: Personas) -> None:
    from licheng.accounts.models import SchoolSignOn

    SchoolSignOn.objects.filter(school=personas.school).update(link_rule="national_id")
    personas.student.student_number = "S7777"
    personas.student.set_national_id("A123456789")
    personas.student.save()
    client = Client()
    assert sign_in(client, "cloud-student")["Location"] == "/sso/link/"
    assert "陳小明" in client.get("/sso/link/").content.decode()


def test_the_school_admin_requires_sso_and_passwords_stop_working(educloud: Provider, personas: Personas) -> None:
    from licheng.testing.personas import PASSWORD

    admin = Client()
    admin.force_login(personas.school_admin)
    page = admin.get("/accounts/sign-on/").content.decode()
    assert "教育雲端" in page
    refused = admin.post("/accounts/sign-on/", {"link_rule": "none", "require_sso": "on"})
    assert "請至少允許一個登入服務" in refused.content.decode()
    saved = admin.post("/accounts/sign-on/", {"providers": ["educloud"], "link_rule": "none", "require_sso": "on"})
    assert saved.status_code == 302
    assert AuditEntry.objects.filter(action="school.sign_on_update").exists()

    student = Client()
    response = student.post("/login/", {"username": "student", "password": PASSWORD})
    assert response.status_code == 200 and "只允許透過單一登入服務登入" in response.content.decode()
    assert "_auth_user_id" not in student.session
    still = Client()
    assert still.post("/login/", {"username": personas.school_admin.username, "password": PASSWORD}).status_code == 302


def test_log_out_ends_the_session_and_offers_provider_log_out(educloud: Provider, personas: Personas) -> None:
    client = Client()
    client.force_login(personas.subject_teacher)
    sign_in(client, "cloud-teacher")
    client.logout()
    sign_in(client, "cloud-teacher")
    response = client.post("/logout/")
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "登出教育雲端" in page and f"{educloud.issuer}/logout/" in page and "id_token_hint=" in page


def test_password_log_out_just_goes_to_the_login_page(personas: Personas) -> None:
    from licheng.testing.personas import PASSWORD

    client = Client()
    client.post("/login/", {"username": "teacher", "password": PASSWORD})
    assert client.post("/logout/")["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_the_login_page_has_one_button_per_provider(educloud: Provider) -> None:
    page = Client().get("/login/").content.decode()
    assert page.count('href="/sso/') == 1 and "以教育雲端登入" in page
