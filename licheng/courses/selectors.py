"""Reads for courses, narrowed to what a user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from licheng.core.permissions import has_permission
from licheng.courses.models import Course, CourseTeacher, Enrolment
from licheng.people.models import ParentLink, Student, User
from licheng.schools.models import School


def _belongs(user: User, school: School) -> bool:
    return bool(user.is_authenticated and user.school_id in (None, school.pk))


def courses_visible_to(user: User, school: School) -> QuerySet[Course]:
    """``courses.view_all`` sees every course. Others see the courses they teach; the courses of their
    homeroom or counselled classes and of those classes' students; the courses they are enrolled in
    (students); and their children's courses (parents)."""
    courses = Course.objects.filter(school=school)
    if not _belongs(user, school):
        return courses.none()
    if has_permission(user, school, "courses.view_all"):
        return courses
    # Each way of seeing a course is its own subquery: one OR across the joins of teachers,
    # enrolments, students and parent links multiplied rows into a scan that grew with the school.
    students = Student.objects.filter(school=school).filter(
        Q(school_class__homeroom_teacher=user)
        | Q(school_class__counsellor=user)
        | Q(user=user)
        | Q(pk__in=ParentLink.objects.filter(school=school, parent=user).values("student_id"))
    )
    mine = (
        Q(pk__in=CourseTeacher.objects.filter(school=school, teacher=user).values("course_id"))
        | Q(school_class__homeroom_teacher=user)
        | Q(school_class__counsellor=user)
        | Q(pk__in=Enrolment.objects.filter(school=school, student__in=students.values("pk")).values("course_id"))
    )
    return courses.filter(mine)


def enrolments_visible_to(user: User, course: Course) -> QuerySet[Enrolment]:
    """The whole roster for staff who see every course, the course's teachers and the homeroom
    teacher or counsellor of its class; for anyone else only the rows that concern them (their own
    students, themselves, their children)."""
    school = course.school
    enrolments = Enrolment.objects.filter(school=school, course=course)
    if not _belongs(user, school):
        return enrolments.none()
    if may_see_whole_roster(user, course):
        return enrolments
    return enrolments.filter(
        Q(student__school_class__homeroom_teacher=user)
        | Q(student__school_class__counsellor=user)
        | Q(student__user=user)
        | Q(student__parent_links__parent=user)
    ).distinct()


def may_see_whole_roster(user: User, course: Course) -> bool:
    school = course.school
    return _belongs(user, school) and (
        has_permission(user, school, "courses.view_all")
        or course.course_teachers.filter(teacher=user).exists()
        or (
            course.school_class is not None
            and user.pk in (course.school_class.homeroom_teacher_id, course.school_class.counsellor_id)
        )
    )
