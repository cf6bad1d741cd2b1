"""The frame around every page: menu from permissions, language switch, operator school chooser,
error pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from licheng.core.middleware import OPERATOR_SCHOOL_SESSION_KEY
from licheng.core.navigation import NavEntry, everyone, menu_for, perm
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_layout_has_landmarks_skip_link_and_post_logout(personas: Personas) -> None:
    page = client_in("en", personas.student_user).get("/").content.decode()
    assert 'href="#main"' in page and '<main id="main"' in page
    assert "<header" in page and "<nav" in page and "<footer" in page
    assert '<link rel="stylesheet" href="/static/css/licheng.css">' in page
    assert f'action="{reverse("logout")}"' in page and 'method="post"' in page
    assert "陳小明" in page and "(Student)" in page  # name and roles in the header
    assert "甲高級中學" in page  # school name


def test_menu_follows_permissions(personas: Personas) -> None:
    admin_page = _client(personas.school_admin).get("/").content.decode()
    student_page = _client(personas.student_user).get("/").content.decode()
    audit_link = f'href="{reverse("audit:activity")}"'
    assert audit_link in admin_page
    assert audit_link not in student_page


def test_menu_skips_pages_that_do_not_exist(personas: Personas, rf: object) -> None:
    request = rf.get("/")  # type: ignore[attr-defined]
    request.user = personas.school_admin
    request.school = personas.school
    entries = [
        NavEntry("Home", "home", everyone),
        NavEntry("Missing", "nowhere:nothing", everyone),
        NavEntry("Audit", "audit:activity", perm("audit.view")),
        NavEntry("Roles", "audit:activity", perm("no.such")),
    ]
    assert [link.label for link in menu_for(request, entries)] == ["Home", "Audit"]


def test_language_switch_to_english_and_back(personas: Personas) -> None:
    client = _client(personas.student_user)
    page = client.get("/").content.decode()
    assert '<html lang="zh-Hant-TW">' in page
    assert f'action="{reverse("set_language")}"' in page
    assert 'value="en"' in page and "English" in page and "繁體中文" in page

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "My learning portfolio" in page
    assert "Log out" in page

    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    page = client.get("/").content.decode()
    assert "我的學習歷程" in page
    assert "登出" in page


def test_not_found_page_is_friendly_and_translated(personas: Personas) -> None:
    client = _client(personas.student_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "找不到" in page
    assert "Traceback" not in page and "URLconf" not in page
    client.cookies["django_language"] = "en"
    response = client.get("/no-such-page/")
    assert "Page not found" in response.content.decode()


def test_forbidden_page(personas: Personas) -> None:
    response = client_in("en", personas.student_user).get(reverse("audit:activity"))
    assert response.status_code == 403
    assert "You may not do this" in response.content.decode()


def test_server_error_page_leaks_nothing(personas: Personas, settings: object) -> None:
    settings.ROOT_URLCONF = "licheng.core.tests.error_urls"  # type: ignore[attr-defined]
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "出了點問題" in page or "Something went wrong" in page
    assert "secret detail" not in page and "Traceback" not in page


def test_csrf_failure_page(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.student_user)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert "The form expired" in response.content.decode()


# ---------------------------------------------------------------- deployment operators


def test_operator_without_school_is_sent_to_chooser(personas: Personas) -> None:
    client = _client(personas.operator)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("choose_school")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("choose_school")).content.decode()
    assert "甲高級中學" in page and "乙高級中學" in page


def test_operator_chooses_a_school_and_lands_home(personas: Personas) -> None:
    client = _client(personas.operator)
    response = client.post(reverse("choose_school"), {"school": personas.other_school.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[OPERATOR_SCHOOL_SESSION_KEY] == personas.other_school.pk
    client.cookies["django_language"] = "en"
    page = client.get("/").content.decode()
    assert "乙高級中學" in page
    assert "as a deployment operator" in page
    # Switching again.
    client.post(reverse("choose_school"), {"school": personas.school.pk})
    assert "甲高級中學" in client.get("/").content.decode()


@pytest.mark.parametrize("url", ["/people/students/", "/submissions/", "/audit/"])
def test_operator_is_told_why_school_pages_are_closed(personas: Personas, url: str) -> None:
    client = _client(personas.operator)
    client.post(reverse("choose_school"), {"school": personas.school.pk})
    client.cookies["django_language"] = "en"
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 403
    assert "You are the deployment's operator, looking at 甲高級中學." in page
    assert "ask your school administrator" not in page  # the staff wording does not fit the operator
    assert reverse("choose_school") in page
    # Someone of the school without the permission keeps the usual wording.
    refused = client_in("en", personas.student_user).get(url)
    assert refused.status_code == 403
    assert "ask your school administrator" in refused.content.decode() and "operator" not in refused.content.decode()


@pytest.mark.parametrize("choice", ["", "abc", "999999"])
def test_operator_bad_choice_is_explained_and_changes_nothing(personas: Personas, choice: str) -> None:
    client = _client(personas.operator)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("choose_school"), {"school": choice})
    assert response.status_code == 400
    assert "Choose one of the schools in the list." in response.content.decode()
    assert OPERATOR_SCHOOL_SESSION_KEY not in client.session


def test_inactive_school_cannot_be_chosen(personas: Personas) -> None:
    personas.other_school.is_active = False
    personas.other_school.save()
    client = _client(personas.operator)
    assert "乙高級中學" not in client.get(reverse("choose_school")).content.decode()
    assert client.post(reverse("choose_school"), {"school": personas.other_school.pk}).status_code == 400


@pytest.mark.parametrize("name", ["school_admin", "student", "outsider"])
def test_chooser_is_for_operators_only(personas: Personas, name: str) -> None:
    client = _client(personas.by_name()[name])
    assert client.get(reverse("choose_school")).status_code == 404
    assert client.post(reverse("choose_school"), {"school": personas.other_school.pk}).status_code == 404


def test_chooser_anonymous_goes_to_login(db: None) -> None:
    response = Client().get(reverse("choose_school"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "name", ["student", "parent", "subject_teacher", "homeroom_teacher", "registry", "school_admin", "outsider"]
)
def test_every_menu_link_opens(personas: Personas, name: str) -> None:
    """The menu only offers pages the person may open."""
    from licheng.core.navigation import menu_for

    user = personas.by_name()[name]
    client = _client(user)
    response = client.get("/")
    links = menu_for(response.wsgi_request)
    assert links[0].url_name == "home"
    for link in links:
        assert client.get(link.url, follow=True).status_code == 200, link.url_name  # e.g. my transcript → its page


def test_menu_entries_by_role(personas: Personas) -> None:
    from licheng.core.navigation import menu_for

    def names(user: object) -> set[str]:
        client = _client(user)
        return {link.url_name for link in menu_for(client.get("/").wsgi_request)}

    student = names(personas.student_user)
    assert "audit:activity" not in student and "people:staff_list" not in student
    admin = names(personas.school_admin)
    assert {"audit:activity", "people:role_permissions", "people:staff_list", "home"} <= admin
    assert "choose_school" not in admin
