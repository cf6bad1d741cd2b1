"""Parent binding (親子綁定, issue 15 item 4): a student or the registry issues a one-time code, a
parent signed in with their own account redeems it and becomes that child's parent; codes expire,
are used once, wrong guesses are throttled; a parent with several children switches between them."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from licheng.accounts.models import ExternalIdentity
from licheng.audit.models import AuditEntry
from licheng.people.models import ParentBindingCode, ParentCodeGuess, ParentLink, RoleGrant, User
from licheng.testing.factories import StudentFactory, UserFactory, make_school, make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r'id="parent-code">([A-Z0-9]{4}-[A-Z0-9]{4})<')


def _issue_as(client: Client, user: User, url: str = "/people/my/parent-codes/", relation: str = "") -> str:
    client.force_login(user)
    page = client.post(url, {"relation": relation})
    assert page.status_code == 200, page.content.decode()[:500]
    match = CODE_RE.search(page.content.decode())
    assert match, "the issued code is shown"
    client.logout()
    return match.group(1)


def _new_parent(personas: Personas, username: str = "mother") -> User:
    user = UserFactory.create(school=personas.school, username=username, name="王媽媽")
    RoleGrant.objects.create(school=personas.school, user=user, role="parent")
    return user


def _redeem(client: Client, user: User, code: str) -> str:
    client.force_login(user)
    return client.post("/parents/bind/", {"code": code}, follow=True).content.decode()


def _refusals(reason: str) -> int:
    return AuditEntry.objects.filter(action="parent_code.refuse", changes__reason=reason).count()


# --- issuing --------------------------------------------------------------------------------------


def test_a_student_issues_a_code_shown_once_and_stored_only_as_a_hash(client: Client, personas: Personas) -> None:
    client.force_login(personas.student_user)
    home = client.get("/").content.decode()
    assert "綁定家長帳號" in home and "/people/my/parent-codes/" in home
    code = _issue_as(client, personas.student_user, relation="父")
    stored = ParentBindingCode.objects.get(student=personas.student)
    assert stored.relation == "父" and stored.issued_by == personas.student_user
    plain = code.replace("-", "")
    assert all(plain not in str(getattr(stored, f.attname)) for f in ParentBindingCode._meta.fields)
    assert stored.expires_at - timezone.now() > datetime.timedelta(days=6, hours=23)  # 7 days by default
    assert AuditEntry.objects.filter(action="parent_code.issue", object_id=str(stored.pk)).exists()
    client.force_login(personas.student_user)
    listing = client.get("/people/my/parent-codes/").content.decode()
    assert plain not in listing and code not in listing  # not shown again
    assert "尚未使用" in listing


def test_the_code_lifetime_follows_the_setting(client: Client, personas: Personas, settings: object) -> None:
    settings.PARENT_CODE_DAYS = 2  # type: ignore[attr-defined]
    _issue_as(client, personas.student_user)
    stored = ParentBindingCode.objects.get(student=personas.student)
    assert datetime.timedelta(days=1, hours=23) < stored.expires_at - timezone.now() <= datetime.timedelta(days=2)


def test_the_registry_issues_from_the_student_profile(client: Client, personas: Personas) -> None:
    client.force_login(personas.registry)
    profile = client.get(f"/people/students/{personas.student.pk}/").content.decode()
    assert f"/people/students/{personas.student.pk}/parent-codes/" in profile
    code = _issue_as(client, personas.registry, f"/people/students/{personas.student.pk}/parent-codes/")
    assert ParentBindingCode.objects.get(student=personas.student).issued_by == personas.registry
    assert "已綁定" in _redeem(client, _new_parent(personas), code)


def test_a_teacher_cannot_issue_codes_and_a_parent_has_no_codes_page(client: Client, personas: Personas) -> None:
    client.force_login(personas.homeroom_teacher)
    assert client.post(f"/people/students/{personas.student.pk}/parent-codes/").status_code == 403
    client.force_login(personas.parent)
    assert client.post("/people/my/parent-codes/").status_code == 404
    assert not ParentBindingCode.objects.exists()


def test_older_codes_stay_valid_up_to_five_open_codes(client: Client, personas: Personas) -> None:
    first = _issue_as(client, personas.student_user, relation="母")
    second = _issue_as(client, personas.student_user, relation="父")
    for _n in range(3):
        _issue_as(client, personas.student_user)
    client.force_login(personas.student_user)
    refused = client.post("/people/my/parent-codes/", {})
    assert refused.status_code == 422 and "已有 5 組尚未使用的綁定碼" in refused.content.decode()
    assert ParentBindingCode.objects.count() == 5
    assert "已綁定" in _redeem(client, _new_parent(personas, "mother"), first)
    assert "已綁定" in _redeem(client, _new_parent(personas, "father"), second)
    assert ParentLink.objects.filter(student=personas.student).count() == 3  # the persona parent and these two


def test_a_revoked_code_is_refused(client: Client, personas: Personas) -> None:
    code = _issue_as(client, personas.student_user)
    stored = ParentBindingCode.objects.get()
    client.force_login(personas.student_user)
    page = client.post(f"/people/parent-codes/{stored.pk}/revoke/", follow=True).content.decode()
    assert "綁定碼已撤銷" in page
    mother = _new_parent(personas)
    assert "這組綁定碼已被撤銷" in _redeem(client, mother, code)
    assert not ParentLink.objects.filter(parent=mother).exists()
    assert _refusals("revoked") == 1


def test_another_student_cannot_revoke_a_code(client: Client, personas: Personas) -> None:
    _issue_as(client, personas.student_user)
    other = StudentFactory.create(school_class=personas.school_class)
    client.force_login(other.user)
    assert client.post(f"/people/parent-codes/{ParentBindingCode.objects.get().pk}/revoke/").status_code == 404
    assert ParentBindingCode.objects.get().revoked_at is None


# --- redeeming ----------------------------------------------------------------------------------


def test_a_parent_redeems_a_code_and_sees_the_child(client: Client, personas: Personas) -> None:
    code = _issue_as(client, personas.student_user, relation="母")
    mother = _new_parent(personas)
    page = _redeem(client, mother, code.lower().replace("-", " "))  # typed loosely on a phone
    assert f"您已綁定為{personas.student.name}的家長" in page
    link = ParentLink.objects.get(parent=mother)
    assert link.student == personas.student and link.relation == "母"
    stored = ParentBindingCode.objects.get()
    assert stored.used_by == mother and stored.used_at is not None
    assert AuditEntry.objects.filter(action="parent_code.redeem", actor=mother).exists()
    assert "家長綁定碼已使用" in page  # the history of the codes on the children page
    home = client.get("/").content.decode()
    assert personas.student.name in home
    assert client.get(f"/performances/students/{personas.student.pk}/").status_code == 200


def test_a_staff_account_can_become_a_parent(client: Client, personas: Personas) -> None:
    code = _issue_as(client, personas.student_user)
    _redeem(client, personas.other_teacher, code)
    assert ParentLink.objects.filter(parent=personas.other_teacher, student=personas.student).exists()
    assert RoleGrant.objects.filter(user=personas.other_teacher, role="parent").exists()
    assert "我的孩子" in client.get("/").content.decode()


def test_a_used_code_is_refused_and_links_nobody(client: Client, personas: Personas) -> None:
    code = _issue_as(client, personas.student_user)
    _redeem(client, _new_parent(personas, "mother"), code)
    father = _new_parent(personas, "father")
    page = _redeem(client, father, code)
    assert "這組綁定碼已經使用過" in page
    assert not ParentLink.objects.filter(parent=father).exists()
    assert _refusals("used") == 1


def test_an_expired_code_is_refused(client: Client, personas: Personas) -> None:
    code = _issue_as(client, personas.student_user)
    ParentBindingCode.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    mother = _new_parent(personas)
    assert "這組綁定碼已過期" in _redeem(client, mother, code)
    assert not ParentLink.objects.filter(parent=mother).exists()
    assert ParentBindingCode.objects.get().used_at is None
    assert _refusals("expired") == 1


def test_a_wrong_or_empty_code_is_refused(client: Client, personas: Personas) -> None:
    mother = _new_parent(personas)
    client.force_login(mother)
    wrong = client.post("/parents/bind/", {"code": "ABCD-EFGH"})
    assert wrong.status_code == 422 and "綁定碼不正確" in wrong.content.decode()
    empty = client.post("/parents/bind/", {"code": "  "})
    assert empty.status_code == 422 and "請輸入您拿到的綁定碼" in empty.content.decode()
    assert not ParentLink.objects.filter(parent=mother).exists()
    assert _refusals("wrong") == 1


def test_the_refusal_is_in_english_for_an_english_reader(client: Client, personas: Personas) -> None:
    client.force_login(_new_parent(personas))
    client.cookies["django_language"] = "en"
    page = client.post("/parents/bind/", {"code": "ABCD-EFGH"}).content.decode()
    assert "That code is not valid. Check the eight characters and try again." in page


def test_many_wrong_guesses_are_throttled_even_for_a_right_code(
    client: Client, personas: Personas, settings: object
) -> None:
    code = _issue_as(client, personas.student_user)
    mother = _new_parent(personas)
    client.force_login(mother)
    for _n in range(5):
        client.post("/parents/bind/", {"code": "ABCD-EFGH"})
    page = client.post("/parents/bind/", {"code": code})
    assert page.status_code == 422 and "輸入錯誤的綁定碼次數過多" in page.content.decode()
    assert not ParentLink.objects.filter(parent=mother).exists()
    assert ParentBindingCode.objects.get().used_at is None
    assert _refusals("wrong") == 5 and _refusals("throttled") == 1
    ParentCodeGuess.objects.update(at=timezone.now() - datetime.timedelta(minutes=16))  # the window passes
    assert "已綁定" in client.post("/parents/bind/", {"code": code}, follow=True).content.decode()


def test_a_code_of_another_school_is_refused(client: Client, personas: Personas) -> None:
    other_school = make_school("333333", "丙高級中學")
    far_student = StudentFactory.create(school_class__school=other_school)
    code = _issue_as(client, far_student.user)
    mother = _new_parent(personas)
    page = _redeem(client, mother, code)
    assert "這組綁定碼屬於他校學生" in page and personas.school.name in page
    assert not ParentLink.objects.filter(parent=mother).exists()
    assert _refusals("other_school") == 1


def test_a_student_cannot_redeem(client: Client, personas: Personas) -> None:
    other = StudentFactory.create(school_class=personas.school_class)
    code = _issue_as(client, other.user)
    client.force_login(personas.student_user)
    assert client.post("/parents/bind/", {"code": code}).status_code == 403
    assert not ParentLink.objects.filter(parent=personas.student_user).exists()


def test_linking_twice_to_the_same_child_is_refused_and_keeps_the_code(client: Client, personas: Personas) -> None:
    code = _issue_as(client, personas.student_user)
    page = _redeem(client, personas.parent, code)  # the persona parent is linked already
    assert f"您已經綁定{personas.student.name}" in page
    assert ParentBindingCode.objects.get().used_at is None


def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client, personas: Personas) -> None:
    page = client.get("/parents/bind/")
    assert page.status_code == 302 and page["Location"].startswith("/login/")


# --- the sign-in through an outside provider (the SSO developer's contract) -----------------------


def _pending(client: Client, school_id: int, subject: str = "sub-123") -> None:
    session = client.session
    session["sso_pending_identity"] = {
        "provider": "edu-cloud",
        "subject": subject,
        "school_id": school_id,
        "name": "陳爸爸",
        "email": "chen@example.tw",
    }
    session.save()


def test_a_visitor_signing_in_through_a_provider_gets_a_parent_account(client: Client, personas: Personas) -> None:
    code = _issue_as(client, personas.student_user)
    _pending(client, personas.school.pk)
    form = client.get("/parents/bind/").content.decode()
    assert "陳爸爸" in form
    page = client.post("/parents/bind/", {"code": code}, follow=True)
    assert f"您已綁定為{personas.student.name}的家長" in page.content.decode()
    identity = ExternalIdentity.objects.get(provider="edu-cloud", subject="sub-123")
    father = identity.user
    assert father.school == personas.school and father.name == "陳爸爸" and not father.has_usable_password()
    assert ParentLink.objects.filter(parent=father, student=personas.student).exists()
    assert "sso_pending_identity" not in client.session
    assert client.session["_auth_user_id"] == str(father.pk)
    assert AuditEntry.objects.filter(action="account.login", object_id=str(father.pk)).exists()


def test_a_provider_visitor_with_a_code_of_another_school_is_refused(client: Client, personas: Personas) -> None:
    code = _issue_as(client, personas.student_user)
    _pending(client, personas.other_school.pk)
    page = client.post("/parents/bind/", {"code": code})
    assert page.status_code == 422 and "這組綁定碼屬於他校學生" in page.content.decode()
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in client.session and "sso_pending_identity" in client.session


def test_a_provider_visitor_with_a_wrong_code_gets_no_account(client: Client, personas: Personas) -> None:
    users = User.objects.count()
    _pending(client, personas.school.pk)
    page = client.post("/parents/bind/", {"code": "ZZZZ-ZZZZ"})
    assert page.status_code == 422 and "綁定碼不正確" in page.content.decode()
    assert User.objects.count() == users and _refusals("wrong") == 1


# --- several children ---------------------------------------------------------------------------


def test_a_parent_switches_between_two_children(client: Client, personas: Personas) -> None:
    sibling = StudentFactory.create(school_class=personas.school_class, name="王小弟")
    ParentLink.objects.create(school=personas.school, parent=personas.parent, student=sibling)
    client.force_login(personas.parent)
    children = client.get("/parents/children/").content.decode()
    assert personas.student.name in children and "王小弟" in children
    first = min([personas.student, sibling], key=lambda s: s.name)
    assert f"目前檢視的是{first.name}" in children
    home = client.get("/").content.decode()
    assert "改看" in home
    client.post("/parents/children/switch/", {"student": sibling.pk, "next": "/"})
    home = client.get("/").content.decode()
    assert f"/performances/students/{sibling.pk}/" in home.split('id="current-child"')[1]
    children = client.get("/parents/children/").content.decode()
    assert "目前檢視的是王小弟" in children
    other = StudentFactory.create(school_class=personas.school_class)
    assert client.post("/parents/children/switch/", {"student": other.pk}).status_code == 404


def test_a_parent_can_unbind_a_child(client: Client, personas: Personas) -> None:
    link = ParentLink.objects.get(parent=personas.parent)
    client.force_login(personas.parent)
    page = client.post(f"/parents/children/{link.pk}/unbind/", follow=True).content.decode()
    assert "您已解除與" in page
    assert not ParentLink.objects.filter(parent=personas.parent).exists()
    other_parent = make_staff(personas.school, "subject_teacher", username="t2")
    client.force_login(other_parent)
    sibling_link = ParentLink.objects.create(school=personas.school, parent=personas.registry, student=personas.student)
    assert client.post(f"/parents/children/{sibling_link.pk}/unbind/").status_code == 404
