"""Course services: courses, teachers and enrolments; bad input refused with a message and no change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from licheng.audit.models import AuditEntry
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.courses import services
from licheng.courses.models import Course, CourseTeacher, Enrolment
from licheng.courses.tests.makers import new_class, new_student
from licheng.schools.models import AcademicYear, SchoolClass
from licheng.testing.factories import make_staff, make_term
from licheng.testing.personas import Personas


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """These tests read the services' messages in English; pages are tested in Chinese."""
    with translation.override("en"):
        yield


CODE = "114123456A1101010000001"


@pytest.fixture
def curriculum(personas: Personas) -> Actor:
    return Actor(user=make_staff(personas.school, "curriculum", name="教學組長"))


def _create(personas: Personas, actor: Actor, **overrides: object) -> Course:
    values: dict = {
        "term": personas.term,
        "course_code": CODE,
        "subject_name": "數學",
        "credits": 4,
        "teachers": [personas.subject_teacher],
        "school_class": personas.school_class,
    }
    values.update(overrides)
    return services.course_create(actor=actor, **values)


def _state() -> tuple[list, list, list]:
    return (
        list(Course.objects.order_by("pk").values_list()),
        list(CourseTeacher.objects.order_by("pk").values_list()),
        list(Enrolment.objects.order_by("pk").values_list()),
    )


def test_course_create_with_teachers(personas: Personas, curriculum: Actor) -> None:
    course = _create(
        personas, curriculum, course_code=CODE.lower(), teachers=[personas.subject_teacher, personas.other_teacher]
    )
    assert course.course_code == CODE
    assert set(course.teachers.all()) == {personas.subject_teacher, personas.other_teacher}
    assert set(AuditEntry.objects.get(action="course.create").changes["teachers"]) == {
        personas.subject_teacher.pk,
        personas.other_teacher.pk,
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"course_code": "114123"}, "course_code"),
        ({"course_code": "114123456A110101000000!"}, "course_code"),
        ({"credits_per_term": "44444"}, "credits_per_term"),
        ({"credits_per_term": "4444e0"}, "credits_per_term"),
        ({"subject_name": "  "}, "subject_name"),
        ({"credits": 31}, "credits"),
        ({"credits": -1}, "credits"),
        ({"school_class": None, "group_name": ""}, "school_class"),
        ({"teachers": []}, "teachers"),
    ],
)
def test_bad_courses_are_refused(personas: Personas, curriculum: Actor, overrides: dict, field: str) -> None:
    before = _state()
    with pytest.raises(ServiceError) as refused:
        _create(personas, curriculum, **overrides)
    assert refused.value.field == field and refused.value.message
    assert _state() == before


def test_a_class_of_another_school_or_year_is_refused(personas: Personas, curriculum: Actor) -> None:
    before = _state()
    foreign = new_class(school=personas.other_school, name="101")
    with pytest.raises(ServiceError) as refused:
        _create(personas, curriculum, school_class=foreign)
    assert refused.value.field == "school_class" and "another school" in refused.value.message
    next_year = new_class(
        school=personas.school, name="201", academic_year=AcademicYear.objects.create(school=personas.school, year=115)
    )
    with pytest.raises(ServiceError) as refused:
        _create(personas, curriculum, school_class=next_year)
    assert refused.value.field == "school_class" and "115" in refused.value.message
    assert _state() == before


def test_teachers_must_be_staff_of_this_school(personas: Personas, curriculum: Actor) -> None:
    before = _state()
    for who in (personas.outsider, personas.student_user, personas.parent):
        with pytest.raises(ServiceError) as refused:
            _create(personas, curriculum, teachers=[personas.subject_teacher, who])
        assert refused.value.field == "teachers"
        with pytest.raises(ServiceError):
            services.course_teacher_add(actor=curriculum, course=personas.course, teacher=who)
    assert _state() == before


def test_course_update(personas: Personas, curriculum: Actor) -> None:
    course = personas.course
    services.course_update(
        actor=curriculum, course=course, course_code=CODE, subject_name="國語文", credits=3, school_class=None,
        group_name="選修B", credits_per_term="333000",
    )  # fmt: skip
    course.refresh_from_db()
    assert (course.subject_name, course.school_class, course.group_name) == ("國語文", None, "選修B")
    with pytest.raises(ServiceError):
        services.course_update(actor=curriculum, course=course, course_code="X", subject_name="國", credits=3)
    course.refresh_from_db()
    assert course.course_code == CODE


def test_teachers_come_and_go_but_one_stays(personas: Personas, curriculum: Actor) -> None:
    course = personas.course
    with pytest.raises(ServiceError) as refused:
        services.course_teacher_remove(actor=curriculum, course=course, teacher=personas.subject_teacher)
    assert "at least one teacher" in refused.value.message
    services.course_teacher_add(actor=curriculum, course=course, teacher=personas.other_teacher)
    with pytest.raises(ServiceError):
        services.course_teacher_add(actor=curriculum, course=course, teacher=personas.other_teacher)
    services.course_teacher_remove(actor=curriculum, course=course, teacher=personas.subject_teacher)
    assert list(course.teachers.all()) == [personas.other_teacher]
    with pytest.raises(ServiceError):
        services.course_teacher_remove(actor=curriculum, course=course, teacher=personas.subject_teacher)


def test_enrolments(personas: Personas, curriculum: Actor) -> None:
    course = personas.other_course
    services.enrolment_add(actor=curriculum, course=course, student=personas.student)
    with pytest.raises(ServiceError) as refused:
        services.enrolment_add(actor=curriculum, course=course, student=personas.student)
    assert "already enrolled" in refused.value.message
    foreign = new_student(school_class=new_class(school=personas.other_school))
    with pytest.raises(ServiceError) as refused:
        services.enrolment_add(actor=curriculum, course=course, student=foreign)
    assert refused.value.field == "student"
    services.enrolment_remove(actor=curriculum, course=course, student=personas.student)
    with pytest.raises(ServiceError):
        services.enrolment_remove(actor=curriculum, course=course, student=personas.student)
    assert not Enrolment.objects.filter(course=course).exists()
    assert AuditEntry.objects.filter(action__startswith="enrolment.").count() == 2


def test_only_course_managers_change_courses(personas: Personas) -> None:
    for user in (personas.subject_teacher, personas.registry, personas.outsider, personas.student_user):
        with pytest.raises(PermissionDenied):
            _create(personas, Actor(user=user))
        with pytest.raises(PermissionDenied):
            services.enrolment_add(actor=Actor(user=user), course=personas.other_course, student=personas.student)


def test_group_course_in_another_term(personas: Personas, curriculum: Actor) -> None:
    spring = make_term(personas.school, 114, 2)
    course = _create(personas, curriculum, term=spring, school_class=None, group_name="多元選修")
    assert course.term == spring and SchoolClass.objects.count() == 1
