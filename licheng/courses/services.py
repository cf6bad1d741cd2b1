"""State changes for courses, their teachers and enrolments. Each function: keyword-only arguments,
one transaction, a permission check (``courses.manage``) and an audit entry."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, diff, record, snapshot
from licheng.core.errors import ServiceError
from licheng.courses.models import Course, CourseTeacher, Enrolment
from licheng.people.models import Student, User
from licheng.schools.models import School, SchoolClass, Term
from licheng.schools.services import is_staff_of, require_permission

COURSE_CODE = re.compile(r"^[0-9A-Z]{23}$")
CREDITS_PER_TERM = re.compile(r"^[0-9A-D]{6}$")  # a digit per term, or A–D (對開, 1–4 credits)
MAX_CREDITS = 30
COURSE_FIELDS = ("course_code", "credits_per_term", "subject_name", "credits", "school_class", "group_name")


def _require_manage(actor: Actor, school: School) -> None:
    require_permission(actor, school, "courses.manage")


def _clean_course(
    term: Term,
    *,
    course_code: str,
    credits_per_term: str,
    subject_name: str,
    credits: int,
    school_class: SchoolClass | None,
    group_name: str,
) -> dict[str, object]:
    course_code = (course_code or "").strip().upper()
    credits_per_term = (credits_per_term or "").strip().upper()
    subject_name = (subject_name or "").strip()
    group_name = (group_name or "").strip()
    if not COURSE_CODE.match(course_code):
        raise ServiceError(
            _("A course code is 23 characters of digits and capital letters; “%(code)s” has %(length)d.")
            % {"code": course_code, "length": len(course_code)},
            field="course_code",
        )
    if credits_per_term and not CREDITS_PER_TERM.match(credits_per_term):
        raise ServiceError(
            _(
                "Credits per term are 6 characters, one for each term: a digit, or A–D for an alternating course "
                "(1–4 credits), such as 444440."
            ),
            field="credits_per_term",
        )
    if not subject_name:
        raise ServiceError(_("Enter the subject name."), field="subject_name")
    if len(subject_name) > 60:
        raise ServiceError(_("A subject name is at most 60 characters."), field="subject_name")
    if not isinstance(credits, int) or isinstance(credits, bool) or not 0 <= credits <= MAX_CREDITS:
        raise ServiceError(_("Credits are a whole number from 0 to %(max)d.") % {"max": MAX_CREDITS}, field="credits")
    if len(group_name) > 60:
        raise ServiceError(_("A group name is at most 60 characters."), field="group_name")
    if school_class is not None:
        if school_class.school_id != term.school_id:
            raise ServiceError(_("That class belongs to another school."), field="school_class")
        if school_class.academic_year_id != term.academic_year_id:
            raise ServiceError(
                _("Class %(name)s belongs to academic year %(class_year)s, but term %(term)s is in %(year)s.")
                % {
                    "name": school_class.name,
                    "class_year": school_class.academic_year.year,
                    "term": term.label,
                    "year": term.academic_year.year,
                },
                field="school_class",
            )
    if school_class is None and not group_name:
        raise ServiceError(_("Choose the class, or name the group, that takes this course."), field="school_class")
    return {
        "course_code": course_code,
        "credits_per_term": credits_per_term,
        "subject_name": subject_name,
        "credits": credits,
        "school_class": school_class,
        "group_name": group_name,
    }


def _check_teacher(school: School, teacher: User) -> None:
    if not is_staff_of(teacher, school):
        raise ServiceError(_("%(name)s is not on the staff of this school.") % {"name": teacher}, field="teacher")


@transaction.atomic
def course_create(
    *,
    actor: Actor,
    term: Term,
    course_code: str,
    subject_name: str,
    credits: int,
    teachers: Iterable[User],
    credits_per_term: str = "",
    school_class: SchoolClass | None = None,
    group_name: str = "",
) -> Course:
    """Offer a course in a term, taught by one or more teachers of the school."""
    school = term.school
    _require_manage(actor, school)
    values = _clean_course(
        term,
        course_code=course_code,
        credits_per_term=credits_per_term,
        subject_name=subject_name,
        credits=credits,
        school_class=school_class,
        group_name=group_name,
    )
    teachers = list(dict.fromkeys(teachers))
    if not teachers:
        raise ServiceError(_("A course needs at least one teacher."), field="teachers")
    for teacher in teachers:
        try:
            _check_teacher(school, teacher)
        except ServiceError as error:
            raise ServiceError(error.message, field="teachers") from None
    course = Course.objects.create(school=school, term=term, **values)  # type: ignore[arg-type]
    CourseTeacher.objects.bulk_create(CourseTeacher(school=school, course=course, teacher=t) for t in teachers)
    record(
        actor=actor,
        school=school,
        action="course.create",
        obj=course,
        changes={"term": term.label, **snapshot(course, COURSE_FIELDS), "teachers": [t.pk for t in teachers]},
    )
    return course


@transaction.atomic
def course_update(
    *,
    actor: Actor,
    course: Course,
    course_code: str,
    subject_name: str,
    credits: int,
    credits_per_term: str = "",
    school_class: SchoolClass | None = None,
    group_name: str = "",
) -> Course:
    """Change a course's code, subject, credits, class or group; it stays in its term."""
    _require_manage(actor, course.school)
    values = _clean_course(
        course.term,
        course_code=course_code,
        credits_per_term=credits_per_term,
        subject_name=subject_name,
        credits=credits,
        school_class=school_class,
        group_name=group_name,
    )
    before = snapshot(course, COURSE_FIELDS)
    for key, value in values.items():
        setattr(course, key, value)
    course.save()
    record(
        actor=actor,
        school=course.school,
        action="course.update",
        obj=course,
        changes=diff(before, snapshot(course, COURSE_FIELDS)),
    )
    return course


@transaction.atomic
def course_teacher_add(*, actor: Actor, course: Course, teacher: User) -> CourseTeacher:
    _require_manage(actor, course.school)
    _check_teacher(course.school, teacher)
    if CourseTeacher.objects.filter(course=course, teacher=teacher).exists():
        raise ServiceError(_("%(name)s already teaches this course.") % {"name": teacher}, field="teacher")
    assignment = CourseTeacher.objects.create(school=course.school, course=course, teacher=teacher)
    record(actor=actor, school=course.school, action="course.teacher_add", obj=course, changes={"teacher": teacher.pk})
    return assignment


@transaction.atomic
def course_teacher_remove(*, actor: Actor, course: Course, teacher: User) -> None:
    _require_manage(actor, course.school)
    assignments = CourseTeacher.objects.select_for_update().filter(course=course)
    mine = [a for a in assignments if a.teacher_id == teacher.pk]
    if not mine:
        raise ServiceError(_("%(name)s does not teach this course.") % {"name": teacher}, field="teacher")
    if len(assignments) == 1:
        raise ServiceError(
            _("A course needs at least one teacher: add another teacher before removing %(name)s.") % {"name": teacher},
            field="teacher",
        )
    mine[0].delete()
    record(
        actor=actor, school=course.school, action="course.teacher_remove", obj=course, changes={"teacher": teacher.pk}
    )


@transaction.atomic
def enrolment_add(*, actor: Actor, course: Course, student: Student) -> Enrolment:
    """Enrol a student of this school in a course."""
    _require_manage(actor, course.school)
    if student.school_id != course.school_id:
        raise ServiceError(_("That student is not a student of this school."), field="student")
    if Enrolment.objects.filter(course=course, student=student).exists():
        raise ServiceError(_("%(student)s is already enrolled in this course.") % {"student": student}, field="student")
    enrolment = Enrolment.objects.create(school=course.school, course=course, student=student)
    record(actor=actor, school=course.school, action="enrolment.add", obj=course, changes={"student": student.pk})
    return enrolment


@transaction.atomic
def enrolment_remove(*, actor: Actor, course: Course, student: Student) -> None:
    _require_manage(actor, course.school)
    deleted, _unused = Enrolment.objects.filter(course=course, student=student).delete()
    if not deleted:
        raise ServiceError(_("%(student)s is not enrolled in this course.") % {"student": student}, field="student")
    record(actor=actor, school=course.school, action="enrolment.remove", obj=course, changes={"student": student.pk})
