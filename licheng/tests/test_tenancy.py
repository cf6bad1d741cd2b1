"""Tenancy is enforced by the data layer, not by each view remembering to filter."""

from __future__ import annotations

import pytest
from django_scopes import ScopeError, scope, scopes_disabled

from licheng.courses.models import Course, Enrolment
from licheng.people.models import RoleGrant, Student
from licheng.schools.models import SchoolClass, Term
from licheng.testing.personas import Personas

TENANT_MODELS = [Student, SchoolClass, Term, Course, Enrolment, RoleGrant]


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_an_unscoped_query_on_a_tenant_model_raises(model: type, personas: Personas) -> None:
    with scope(), pytest.raises(ScopeError):  # a scope that names no school, as outside a request
        list(model.objects.all())  # type: ignore[attr-defined]


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_a_scoped_query_sees_only_its_school(model: type, personas: Personas) -> None:
    from licheng.testing.factories import SchoolClassFactory, StudentFactory, enrol, make_course, make_staff, make_term

    # Give the other school one of everything, then look from school A.
    other = personas.other_school
    teacher = make_staff(other, "subject_teacher")
    klass = SchoolClassFactory.create(school=other)
    student = StudentFactory.create(school_class=klass)
    enrol(make_course(make_term(other), teacher, school_class=klass), student)
    with scopes_disabled():
        assert model.objects.filter(school=other).exists()  # type: ignore[attr-defined]
    with scope(school=personas.school):
        schools = {row.school_id for row in model.objects.all()}  # type: ignore[attr-defined]
    assert schools == {personas.school.pk}
