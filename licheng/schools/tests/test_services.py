"""Services for rules, calendar, divisions and classes: they change what they say, refuse bad
input with a clear message, and then change nothing."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from licheng.audit.models import AuditEntry
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.schools import services
from licheng.schools.models import AcademicYear, Division, SchoolClass, SchoolRules, Term
from licheng.testing.factories import make_staff
from licheng.testing.personas import Personas


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """These tests read the services' messages in English; pages are tested in Chinese."""
    with translation.override("en"):
        yield


D = datetime.date


@pytest.fixture
def admin(personas: Personas) -> Actor:
    return Actor(user=personas.school_admin)


def _rules_state(personas: Personas) -> list[tuple]:
    return list(SchoolRules.objects.filter(school=personas.school).order_by("pk").values_list())


def test_rules_update_changes_the_standing_rules_and_is_audited(personas: Personas, admin: Actor) -> None:
    rules = services.rules_update(
        actor=admin, school=personas.school, values={"course_outcomes_per_term": 6, "receipt_confirmation_days": 5}
    )
    assert (rules.course_outcomes_per_term, rules.receipt_confirmation_days) == (6, 5)
    assert services.rules_for(personas.school, 114).course_outcomes_per_term == 6
    entry = AuditEntry.objects.get(action="rules.update")
    assert entry.changes["course_outcomes_per_term"] == [9, 6]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"receipt_confirmation_days": 2}, "receipt_confirmation_days"),  # national minimum is 3 days
        ({"course_outcomes_per_term": 20, "course_outcomes_per_year": 18}, "course_outcomes_per_year"),
        ({"working_group_meetings_per_term": 0}, "working_group_meetings_per_term"),
        ({"performances_selected": 40}, "performances_selected"),
        ({"document_max_mb": -1}, "document_max_mb"),
        ({"no_such_rule": 1}, None),
    ],
)
def test_bad_rules_are_refused_and_nothing_changes(
    personas: Personas, admin: Actor, values: dict, field: str | None
) -> None:
    before = _rules_state(personas)
    with pytest.raises(ServiceError) as refused:
        services.rules_update(actor=admin, school=personas.school, values=values)
    assert refused.value.message and refused.value.field == field
    assert _rules_state(personas) == before
    assert not AuditEntry.objects.filter(action="rules.update").exists()


def test_only_managers_change_rules(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.rules_update(
            actor=Actor(user=personas.subject_teacher), school=personas.school, values={"document_max_mb": 8}
        )
    with pytest.raises(PermissionDenied):  # a manager of another school
        services.rules_update(actor=Actor(user=personas.outsider), school=personas.school, values={"media_max_mb": 8})


def test_a_year_override_starts_as_a_copy_and_then_wins(personas: Personas, admin: Actor) -> None:
    year = personas.term.academic_year
    services.rules_update(actor=admin, school=personas.school, values={"performances_per_year": 25})
    override = services.rules_override_for_year(actor=admin, school=personas.school, academic_year=year)
    assert override.performances_per_year == 25
    services.rules_update(actor=admin, school=personas.school, academic_year=year, values={"performances_per_year": 20})
    assert services.rules_for(personas.school, year).performances_per_year == 20
    assert services.rules_for(personas.school, 114).performances_per_year == 20
    assert services.rules_for(personas.school, 115).performances_per_year == 25  # no override: standing
    assert services.rules_for(personas.school, None).performances_per_year == 25
    with pytest.raises(ServiceError):
        services.rules_override_for_year(actor=admin, school=personas.school, academic_year=year)
    services.rules_override_remove(actor=admin, school=personas.school, academic_year=year)
    assert services.rules_for(personas.school, year).performances_per_year == 25


def test_updating_a_year_without_an_override_is_refused(personas: Personas, admin: Actor) -> None:
    with pytest.raises(ServiceError):
        services.rules_update(
            actor=admin, school=personas.school, academic_year=personas.term.academic_year, values={"media_max_mb": 1}
        )
    assert SchoolRules.objects.filter(school=personas.school).count() == 1


def test_academic_year_with_its_terms(personas: Personas, admin: Actor) -> None:
    year = services.academic_year_create(actor=admin, school=personas.school, year=115, with_terms=True)
    terms = list(Term.objects.filter(academic_year=year).order_by("number"))
    assert [t.label for t in terms] == ["115-1", "115-2"]
    assert terms[0].starts_on == D(2026, 8, 1) and terms[1].ends_on == D(2027, 7, 31)
    for bad in (115, 99, 201):
        with pytest.raises(ServiceError) as refused:
            services.academic_year_create(actor=admin, school=personas.school, year=bad)
        assert refused.value.field == "year"
    assert AcademicYear.objects.filter(school=personas.school).count() == 2


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"starts_on": D(2026, 7, 31), "ends_on": D(2027, 1, 31)}, "starts_on"),  # before 115 starts
        ({"starts_on": D(2026, 8, 1), "ends_on": D(2027, 8, 1)}, "ends_on"),  # after 115 ends
        ({"starts_on": D(2026, 9, 1), "ends_on": D(2026, 8, 1)}, "ends_on"),
        (
            {"starts_on": D(2026, 8, 1), "ends_on": D(2027, 1, 31), "upload_opens_on": D(2026, 9, 2),
             "upload_closes_on": D(2026, 9, 1)},
            "upload_closes_on",
        ),
        (
            {"starts_on": D(2026, 8, 1), "ends_on": D(2027, 1, 31), "selection_opens_on": D(2027, 2, 2),
             "selection_closes_on": D(2027, 2, 1)},
            "selection_closes_on",
        ),
    ],
)  # fmt: skip
def test_bad_term_dates_are_refused(personas: Personas, admin: Actor, dates: dict, field: str) -> None:
    year = AcademicYear.objects.create(school=personas.school, year=115)
    with pytest.raises(ServiceError) as refused:
        services.term_create(actor=admin, academic_year=year, number=1, **dates)
    assert refused.value.field == field and refused.value.message
    assert not Term.objects.filter(academic_year=year).exists()


def test_terms_may_not_repeat_or_overlap(personas: Personas, admin: Actor) -> None:
    year = personas.term.academic_year  # 114-1 exists: 2025-08-01..2026-01-31
    with pytest.raises(ServiceError) as refused:
        services.term_create(actor=admin, academic_year=year, number=1, starts_on=D(2026, 2, 1), ends_on=D(2026, 7, 31))
    assert refused.value.field == "number"
    with pytest.raises(ServiceError):
        services.term_create(
            actor=admin, academic_year=year, number=2, starts_on=D(2026, 1, 20), ends_on=D(2026, 7, 31)
        )
    term = services.term_create(
        actor=admin, academic_year=year, number=2, starts_on=D(2026, 2, 1), ends_on=D(2026, 7, 31)
    )
    assert term.label == "114-2"


def test_term_update_keeps_windows_in_order(personas: Personas, admin: Actor) -> None:
    term = personas.term
    services.term_update(
        actor=admin, term=term, certification_opens_on=D(2026, 1, 1), certification_closes_on=D(2026, 2, 14)
    )
    term.refresh_from_db()
    assert term.certification_closes_on == D(2026, 2, 14)
    with pytest.raises(ServiceError):
        services.term_update(actor=admin, term=term, certification_opens_on=D(2026, 3, 1))
    term.refresh_from_db()
    assert term.certification_opens_on == D(2026, 1, 1)


def test_current_term(personas: Personas, admin: Actor) -> None:
    school = personas.school
    assert services.current_term(school, D(2025, 7, 1)) is None  # nothing has started
    assert services.current_term(school, D(2025, 10, 1)) == personas.term
    assert services.current_term(school, D(2026, 3, 1)) == personas.term  # most recent started
    spring = services.term_create(
        actor=admin,
        academic_year=personas.term.academic_year,
        number=2,
        starts_on=D(2026, 2, 1),
        ends_on=D(2026, 7, 31),
    )
    assert services.current_term(school, D(2026, 3, 1)) == spring
    assert services.current_term(school, D(2027, 1, 1)) == spring
    assert services.current_term(personas.other_school, D(2026, 3, 1)) is None


def test_divisions(personas: Personas, admin: Actor) -> None:
    division = services.division_create(actor=admin, school=personas.school, code=2, name="進修部")
    assert str(division) == "進修部"
    for code, name, field in ((2, "重複", "code"), (8, "八", "code"), (3, "  ", "name")):
        with pytest.raises(ServiceError) as refused:
            services.division_create(actor=admin, school=personas.school, code=code, name=name)
        assert refused.value.field == field
    assert Division.objects.filter(school=personas.school).count() == 2
    services.division_update(actor=admin, division=division, name="進修部（夜間）")
    division.refresh_from_db()
    assert division.name == "進修部（夜間）"


def test_class_create_and_update(personas: Personas, admin: Actor) -> None:
    school = personas.school
    year, division = personas.term.academic_year, Division.objects.get(school=school, code=1)
    counsellor = make_staff(school, "course_counsellor", name="諮詢教師")
    school_class = services.class_create(
        actor=admin, school=school, academic_year=year, division=division, grade=11, name="201",
        homeroom_teacher=personas.other_teacher, counsellor=counsellor,
    )  # fmt: skip
    assert school_class.homeroom_teacher == personas.other_teacher
    services.class_update(
        actor=admin, school_class=school_class, division=division, grade=11, name="202",
        homeroom_teacher=personas.subject_teacher, counsellor=None,
    )  # fmt: skip
    school_class.refresh_from_db()
    assert (school_class.name, school_class.homeroom_teacher, school_class.counsellor) == (
        "202",
        personas.subject_teacher,
        None,
    )
    assert AuditEntry.objects.filter(action__in=["class.create", "class.update"]).count() == 2


@pytest.mark.parametrize("who", ["outsider", "student_user", "parent"])
def test_homeroom_teacher_must_be_staff_of_this_school(personas: Personas, admin: Actor, who: str) -> None:
    school = personas.school
    before = SchoolClass.objects.count()
    with pytest.raises(ServiceError) as refused:
        services.class_create(
            actor=admin, school=school, academic_year=personas.term.academic_year,
            division=Division.objects.get(school=school, code=1), grade=10, name="102",
            homeroom_teacher=getattr(personas, who),
        )  # fmt: skip
    assert refused.value.field == "homeroom_teacher"
    assert "staff" in refused.value.message
    assert SchoolClass.objects.count() == before


def test_class_names_are_unique_per_year_and_other_schools_objects_are_refused(
    personas: Personas, admin: Actor
) -> None:
    school = personas.school
    division = Division.objects.get(school=school, code=1)
    with pytest.raises(ServiceError) as refused:
        services.class_create(
            actor=admin,
            school=school,
            academic_year=personas.term.academic_year,
            division=division,
            grade=10,
            name="101",
        )
    assert refused.value.field == "name"
    other_year = AcademicYear.objects.create(school=personas.other_school, year=114)
    with pytest.raises(ServiceError) as refused:
        services.class_create(
            actor=admin, school=school, academic_year=other_year, division=division, grade=10, name="109"
        )
    assert refused.value.field == "academic_year"
    with pytest.raises(ServiceError) as refused:
        services.class_create(
            actor=admin, school=school, academic_year=personas.term.academic_year,
            division=Division.objects.get(school=personas.other_school, code=1), grade=10, name="109",
        )  # fmt: skip
    assert refused.value.field == "division"
    with pytest.raises(ServiceError):
        services.class_update(
            actor=admin, school_class=personas.school_class, division=division, grade=9, name="101",
            homeroom_teacher=None, counsellor=None,
        )  # fmt: skip
    personas.school_class.refresh_from_db()
    assert personas.school_class.grade == 10 and personas.school_class.homeroom_teacher == personas.homeroom_teacher
