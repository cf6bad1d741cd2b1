"""School settings pages, as each persona meets them."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from licheng.schools.models import AcademicYear, Division, SchoolClass, SchoolRules, Term
from licheng.testing.clients import client_in
from licheng.testing.factories import SchoolClassFactory, make_staff, make_term
from licheng.testing.personas import Personas


def client_for(user: object) -> Client:
    return client_in("en", user)


def zh_client_for(user: object) -> Client:
    return client_in("zh-hant", user)


VIEW_PAGES = ["schools:settings", "schools:calendar", "schools:divisions", "schools:classes"]
MANAGE_PAGES = [
    "schools:rules_edit",
    "schools:academic_year_create",
    "schools:term_create",
    "schools:division_create",
    "schools:class_create",
]


@pytest.mark.parametrize(
    ("who", "view_status", "manage_status"),
    [
        ("school_admin", 200, 200),
        ("registry", 200, 403),
        ("subject_teacher", 200, 403),
        ("homeroom_teacher", 200, 403),
        ("student", 403, 403),
        ("parent", 403, 403),
    ],
)
def test_who_may_see_and_change_settings(personas: Personas, who: str, view_status: int, manage_status: int) -> None:
    client = client_for(personas.by_name()[who])
    for name in VIEW_PAGES:
        assert client.get(reverse(name)).status_code == view_status, name
    for name in MANAGE_PAGES:
        assert client.get(reverse(name)).status_code == manage_status, name


def test_anonymous_visitors_are_sent_to_log_in(client: Client, personas: Personas) -> None:
    response = client.get(reverse("schools:settings"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_settings_show_the_school_and_its_current_term(personas: Personas) -> None:
    page = client_for(personas.registry).get(reverse("schools:settings")).content.decode()
    assert "111111" in page and "甲高級中學" in page and "乙高級中學" not in page
    assert "Receipt confirmation window" in page or "receipt confirmation window" in page


def _rules_post(**changes: int) -> dict[str, int]:
    values = {name: getattr(SchoolRules(), name) for name in SchoolRules.NUMBER_FIELDS}
    values.update(changes)
    return values  # type: ignore[return-value]


def test_admin_changes_the_standing_rules(personas: Personas) -> None:
    client = client_for(personas.school_admin)
    response = client.post(reverse("schools:rules_edit"), _rules_post(course_outcomes_per_term=6), follow=True)
    assert "The rules were saved." in response.content.decode()
    assert SchoolRules.objects.get(school=personas.school, academic_year=None).course_outcomes_per_term == 6


def test_bad_rules_get_a_clear_message_in_chinese_and_change_nothing(personas: Personas) -> None:
    client = zh_client_for(personas.school_admin)
    response = client.post(
        reverse("schools:rules_edit"), _rules_post(course_outcomes_per_term=20, course_outcomes_per_year=18)
    )
    assert response.status_code == 200
    assert "每學年上傳課程學習成果的上限不可低於每學期的上限" in response.content.decode()
    rules = SchoolRules.objects.get(school=personas.school, academic_year=None)
    assert (rules.course_outcomes_per_term, rules.course_outcomes_per_year) == (9, 18)


def test_a_year_gets_its_own_rules_and_gives_them_back(personas: Personas) -> None:
    client = client_for(personas.school_admin)
    year = personas.term.academic_year
    response = client.post(reverse("schools:rules_override_create"), {"academic_year": year.pk})
    assert response.status_code == 302 and response["Location"] == reverse("schools:rules_year_edit", args=[114])
    client.post(reverse("schools:rules_year_edit", args=[114]), _rules_post(performances_per_year=12))
    assert SchoolRules.objects.get(academic_year=year).performances_per_year == 12
    assert SchoolRules.objects.get(school=personas.school, academic_year=None).performances_per_year == 30
    assert "114" in client.get(reverse("schools:settings")).content.decode()
    client.post(reverse("schools:rules_override_remove", args=[114]))
    assert not SchoolRules.objects.filter(academic_year=year).exists()
    assert client.get(reverse("schools:rules_year_edit", args=[114])).status_code == 404


def test_calendar_shows_roc_dates_and_terms(personas: Personas) -> None:
    page = client_for(personas.subject_teacher).get(reverse("schools:calendar")).content.decode()
    assert "114-1" in page and "114.08.01" in page and "115.01.31" in page


def test_admin_adds_a_year_and_edits_a_term_with_roc_dates(personas: Personas) -> None:
    client = client_for(personas.school_admin)
    client.post(reverse("schools:academic_year_create"), {"year": 115, "with_terms": "on"})
    term = Term.objects.get(academic_year__year=115, number=1)
    response = client.post(
        reverse("schools:term_edit", args=[term.pk]),
        {"starts_on": "115/8/1", "ends_on": "1160131", "upload_opens_on": "115.09.01", "upload_closes_on": "116.02.14"},
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.upload_closes_on == datetime.date(2027, 2, 14)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"starts_on": "115.08.01", "ends_on": "116.02.30"}, "116.02 has no day 30."),
        ({"starts_on": "115.13.01", "ends_on": "116.01.31"}, "Month 13 does not exist"),
        ({"starts_on": "hello", "ends_on": "116.01.31"}, "is not an ROC date"),
        ({"starts_on": "115.08.01", "ends_on": "117.01.31"}, "is outside it"),
        (
            {"starts_on": "115.08.01", "ends_on": "116.01.31", "selection_opens_on": "116.02.10",
             "selection_closes_on": "116.02.01"},
            "cannot close before it opens",
        ),
    ],
)  # fmt: skip
def test_impossible_term_dates_are_refused_on_the_form(personas: Personas, data: dict, message: str) -> None:
    client = client_for(personas.school_admin)
    year = AcademicYear.objects.create(school=personas.school, year=115)
    response = client.post(reverse("schools:term_create"), {"academic_year": year.pk, "number": 1, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Term.objects.filter(academic_year=year).exists()


def test_term_form_explains_impossible_dates_in_chinese(personas: Personas) -> None:
    client = zh_client_for(personas.school_admin)
    response = client.post(
        reverse("schools:term_edit", args=[personas.term.pk]), {"starts_on": "114.02.30", "ends_on": "115.01.31"}
    )
    assert "114.02 沒有 30 日" in response.content.decode()


def test_divisions_page(personas: Personas) -> None:
    client = client_for(personas.school_admin)
    client.post(reverse("schools:division_create"), {"code": 2, "name": "進修部"})
    response = client.post(reverse("schools:division_create"), {"code": 2, "name": "重複"})
    assert "Division code 2 is already used." in response.content.decode()
    page = client.get(reverse("schools:divisions")).content.decode()
    assert "進修部" in page and "重複" not in page


def test_admin_creates_and_edits_a_class(personas: Personas) -> None:
    client = client_for(personas.school_admin)
    year, division = personas.term.academic_year, Division.objects.get(school=personas.school, code=1)
    response = client.post(
        reverse("schools:class_create"),
        {"academic_year": year.pk, "division": division.pk, "grade": 11, "name": "201",
         "homeroom_teacher": personas.other_teacher.pk},
    )  # fmt: skip
    assert response.status_code == 302
    school_class = SchoolClass.objects.get(name="201")
    assert school_class.homeroom_teacher == personas.other_teacher
    client.post(
        reverse("schools:class_edit", args=[school_class.pk]),
        {"division": division.pk, "grade": 11, "name": "201", "counsellor": personas.subject_teacher.pk},
    )
    school_class.refresh_from_db()
    assert school_class.counsellor == personas.subject_teacher and school_class.homeroom_teacher is None


def test_a_teacher_of_another_school_cannot_be_homeroom_teacher(personas: Personas) -> None:
    client = client_for(personas.school_admin)
    year, division = personas.term.academic_year, Division.objects.get(school=personas.school, code=1)
    response = client.post(
        reverse("schools:class_create"),
        {"academic_year": year.pk, "division": division.pk, "grade": 10, "name": "102",
         "homeroom_teacher": personas.outsider.pk},
    )  # fmt: skip
    assert response.status_code == 200 and "error" in response.content.decode()
    assert not SchoolClass.objects.filter(name="102").exists()


def test_duplicate_class_name_is_refused_on_the_form(personas: Personas) -> None:
    client = client_for(personas.school_admin)
    year, division = personas.term.academic_year, Division.objects.get(school=personas.school, code=1)
    response = client.post(
        reverse("schools:class_create"), {"academic_year": year.pk, "division": division.pk, "grade": 10, "name": "101"}
    )
    assert "already has a class named 101" in response.content.decode()
    assert SchoolClass.objects.filter(name="101").count() == 1


def test_another_schools_objects_answer_404(personas: Personas) -> None:
    client = client_for(personas.outsider)  # an admin, but of school B
    assert client.get(reverse("schools:class_edit", args=[personas.school_class.pk])).status_code == 404
    assert client.get(reverse("schools:term_edit", args=[personas.term.pk])).status_code == 404
    division = Division.objects.get(school=personas.school, code=1)
    assert client.get(reverse("schools:division_edit", args=[division.pk])).status_code == 404
    assert client.get(reverse("schools:rules_year_edit", args=[114])).status_code == 404
    response = client.post(reverse("schools:class_edit", args=[personas.school_class.pk]), {"name": "999"})
    assert response.status_code == 404
    personas.school_class.refresh_from_db()
    assert personas.school_class.name == "101"
    assert "101" not in client.get(reverse("schools:classes") + "?year=").content.decode()


def test_classes_filter_by_year_and_grade(personas: Personas) -> None:
    SchoolClassFactory(school=personas.school, name="301", grade=12)
    client = client_for(personas.registry)
    page = client.get(reverse("schools:classes"), {"year": 114, "grade": 12}).content.decode()
    assert "301" in page and "王導師" not in page
    page = client.get(reverse("schools:classes"), {"year": 114}).content.decode()
    assert "301" in page and "王導師" in page


def _add_years_and_classes(personas: Personas, n: int) -> None:
    this_year = AcademicYear.objects.get(school=personas.school, year=114)
    start = AcademicYear.objects.filter(school=personas.school).count()
    for i in range(n):
        year = 120 + start + i
        make_term(personas.school, year, 1)
        make_term(personas.school, year, 2)
        SchoolClassFactory(
            school=personas.school,
            academic_year=this_year,
            name=f"C{year}",
            homeroom_teacher=make_staff(personas.school, "homeroom_teacher"),
            counsellor=personas.subject_teacher,
        )
        Division.objects.create(school=personas.school, code=2 + (start + i) % 6, name=f"D{year}")  # codes 2..7


# Every request: session, user with their school, role grants, role permissions. That is 4 (the
# session is written again only when its last renewal is over a minute old); each page adds its own:
PAGE_QUERIES = {
    "schools:calendar": 4 + 4,  # academic years, terms with their year, current term, schedule entries
    "schools:classes": 4 + 2,  # academic years, classes with year, division and both teachers
    "schools:settings": 4 + 5,  # year overrides, standing rules, current term, divisions, years for the form
    "schools:divisions": 4 + 1,  # divisions
}


@pytest.mark.parametrize("name", sorted(PAGE_QUERIES))
def test_list_pages_cost_the_same_as_rows_grow(personas: Personas, django_assert_num_queries, name: str) -> None:
    client = client_for(personas.school_admin)
    _add_years_and_classes(personas, 2)
    client.get(reverse(name), {"year": 114})  # the first request after logging in renews the session
    with django_assert_num_queries(PAGE_QUERIES[name]):
        assert client.get(reverse(name), {"year": 114}).status_code == 200
    _add_years_and_classes(personas, 4)
    with django_assert_num_queries(PAGE_QUERIES[name]):
        assert client.get(reverse(name), {"year": 114}).status_code == 200
