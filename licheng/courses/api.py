"""``/api/v1/courses``: courses the caller may see, their enrolments, and changes for curriculum staff."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from licheng.api.auth import require
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.courses import services
from licheng.courses.models import Course
from licheng.courses.selectors import courses_visible_to, enrolments_visible_to
from licheng.courses.views import with_teachers
from licheng.people.models import Student
from licheng.schools import rocdate
from licheng.schools.api import ErrorOut, error_out
from licheng.schools.models import SchoolClass, Term
from licheng.schools.selectors import staff_users

router = Router(tags=["courses"])


class TeacherOut(Schema):
    id: int
    name: str


class CourseOut(Schema):
    id: int
    term: str
    course_code: str
    credits_per_term: str
    subject_name: str
    credits: int
    class_id: int | None
    class_name: str | None
    group_name: str
    teachers: list[TeacherOut]

    @staticmethod
    def of(course: Course) -> CourseOut:
        return CourseOut(
            id=course.pk,
            term=course.term.label,
            course_code=course.course_code,
            credits_per_term=course.credits_per_term,
            subject_name=course.subject_name,
            credits=course.credits,
            class_id=course.school_class_id,
            class_name=course.school_class.name if course.school_class else None,
            group_name=course.group_name,
            teachers=[TeacherOut(id=a.teacher_id, name=str(a.teacher)) for a in course.course_teachers.all()],
        )


class CourseIn(Schema):
    term: str
    """The term as ``112-1``."""
    course_code: str
    subject_name: str
    credits: int
    credits_per_term: str = ""
    class_id: int | None = None
    group_name: str = ""
    teacher_ids: list[int]


class EnrolmentOut(Schema):
    student_id: int
    student_number: str
    name: str
    class_name: str | None
    seat: int | None


class EnrolmentIn(Schema):
    student_number: str


def _visible_course(request: HttpRequest, course_id: int) -> Course:
    school = request.school  # type: ignore[attr-defined]
    return get_object_or_404(with_teachers(courses_visible_to(request.user, school)), pk=course_id)  # type: ignore[arg-type]


@router.get("/", response=list[CourseOut])
def course_list(request: HttpRequest, term: str | None = None) -> list[CourseOut]:
    """Courses the caller may see; ``term`` (``112-1``) narrows to one term."""
    require(request)
    courses = with_teachers(courses_visible_to(request.user, request.school))  # type: ignore[arg-type, attr-defined]
    if term:
        try:
            year, number = rocdate.parse_term(term)
        except rocdate.RocDateError as error:
            raise HttpError(422, str(error)) from None
        courses = courses.filter(term__academic_year__year=year, term__number=number)
    return [CourseOut.of(course) for course in courses]


@router.get("/{course_id}", response=CourseOut)
def course_detail(request: HttpRequest, course_id: int) -> CourseOut:
    require(request)
    return CourseOut.of(_visible_course(request, course_id))


@router.get("/{course_id}/enrolments", response=list[EnrolmentOut])
def enrolment_list(request: HttpRequest, course_id: int) -> list[EnrolmentOut]:
    """The course's students, as far as the caller may see them (the whole roster for its teachers,
    its class's homeroom teacher and staff who see every course)."""
    require(request)
    course = _visible_course(request, course_id)
    rows = enrolments_visible_to(request.user, course).select_related("student__school_class")  # type: ignore[arg-type]
    return [
        EnrolmentOut(
            student_id=e.student_id,
            student_number=e.student.student_number,
            name=e.student.name,
            class_name=e.student.school_class.name if e.student.school_class else None,
            seat=e.student.seat,
        )
        for e in rows.order_by("student__school_class__name", "student__seat", "student__student_number")
    ]


@router.post("/", response={201: CourseOut, 422: ErrorOut})
def course_create(request: HttpRequest, payload: CourseIn) -> Status[Any]:
    require(request, "courses.manage")
    school = request.school  # type: ignore[attr-defined]
    try:
        year, number = rocdate.parse_term(payload.term)
    except rocdate.RocDateError as error:
        return Status(422, ErrorOut(message=str(error), field="term"))
    term = Term.objects.filter(school=school, academic_year__year=year, number=number).first()
    if term is None:
        return Status(
            422, ErrorOut(message=_("This school has no term %(term)s.") % {"term": payload.term}, field="term")
        )
    school_class = None
    if payload.class_id is not None:
        school_class = SchoolClass.objects.filter(school=school, pk=payload.class_id).first()
        if school_class is None:
            return Status(422, ErrorOut(message=_("That class belongs to another school."), field="class_id"))
    teachers = list(staff_users(school).filter(pk__in=payload.teacher_ids))
    if len(teachers) != len(set(payload.teacher_ids)):
        return Status(
            422, ErrorOut(message=_("Every teacher must be on the staff of this school."), field="teacher_ids")
        )
    try:
        course = services.course_create(
            actor=Actor.from_request(request),
            term=term,
            course_code=payload.course_code,
            subject_name=payload.subject_name,
            credits=payload.credits,
            credits_per_term=payload.credits_per_term,
            school_class=school_class,
            group_name=payload.group_name,
            teachers=teachers,
        )
    except ServiceError as error:
        return error_out(error)
    return Status(201, CourseOut.of(with_teachers(Course.objects.filter(pk=course.pk)).get()))


@router.post("/{course_id}/enrolments", response={201: EnrolmentOut, 422: ErrorOut})
def enrolment_create(request: HttpRequest, course_id: int, payload: EnrolmentIn) -> Status[Any]:
    require(request, "courses.manage")
    course = _visible_course(request, course_id)
    student = (
        Student.objects.filter(school=course.school, student_number=payload.student_number.strip())
        .select_related("school_class")
        .first()
    )
    if student is None:
        return Status(
            422,
            ErrorOut(
                message=_("No student of this school has the student number “%(number)s”.")
                % {"number": payload.student_number},
                field="student_number",
            ),
        )
    try:
        services.enrolment_add(actor=Actor.from_request(request), course=course, student=student)
    except ServiceError as error:
        return error_out(error)
    return Status(
        201,
        EnrolmentOut(
            student_id=student.pk,
            student_number=student.student_number,
            name=student.name,
            class_name=student.school_class.name if student.school_class else None,
            seat=student.seat,
        ),
    )
