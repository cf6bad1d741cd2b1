"""The people every permission test talks about (healthchecks' alice/bob/charlie, for a school).

School A has one class (101) with a homeroom teacher, a student in it with a parent, a course the
student takes (taught by the subject teacher), a course the student does not take (taught by the
other teacher), a registry clerk and a school admin. School B has its own admin: the outsider.
"""

from __future__ import annotations

import dataclasses

from licheng.courses.models import Course
from licheng.people.models import Student, User
from licheng.schools.models import School, SchoolClass, Term
from licheng.testing.factories import (
    SchoolClassFactory,
    StudentFactory,
    UserFactory,
    enrol,
    make_course,
    make_parent,
    make_school,
    make_staff,
    make_term,
)

PASSWORD = "correct-horse-battery"


@dataclasses.dataclass
class Personas:
    school: School
    other_school: School
    term: Term
    school_class: SchoolClass
    student: Student
    course: Course
    other_course: Course
    student_user: User
    homeroom_teacher: User
    subject_teacher: User
    other_teacher: User
    registry: User
    parent: User
    school_admin: User
    outsider: User
    operator: User

    def by_name(self) -> dict[str, User]:
        return {
            "student": self.student_user,
            "homeroom_teacher": self.homeroom_teacher,
            "subject_teacher": self.subject_teacher,
            "other_teacher": self.other_teacher,
            "registry": self.registry,
            "parent": self.parent,
            "school_admin": self.school_admin,
            "outsider": self.outsider,
        }


def build_personas() -> Personas:
    school = make_school("111111", "甲高級中學")
    other_school = make_school("222222", "乙高級中學")
    term = make_term(school)
    homeroom = make_staff(school, "subject_teacher", "homeroom_teacher", username="homeroom", name="王導師")
    school_class = SchoolClassFactory.create(school=school, name="101", homeroom_teacher=homeroom)
    student = StudentFactory.create(
        school_class=school_class,
        user=UserFactory.create(school=school, username="student", name="陳小明"),
        name="陳小明",
    )
    subject_teacher = make_staff(school, "subject_teacher", username="teacher", name="李老師")
    other_teacher = make_staff(school, "subject_teacher", username="other_teacher", name="張老師")
    course = make_course(term, subject_teacher, subject="國文", school_class=school_class)
    other_course = make_course(term, other_teacher, subject="物理", school_class=None)
    enrol(course, student)
    return Personas(
        school=school,
        other_school=other_school,
        term=term,
        school_class=school_class,
        student=student,
        course=course,
        other_course=other_course,
        student_user=student.user,
        homeroom_teacher=homeroom,
        subject_teacher=subject_teacher,
        other_teacher=other_teacher,
        registry=make_staff(school, "registry", username="registry", name="林組長"),
        parent=make_parent(student, username="parent"),
        school_admin=make_staff(school, "school_admin", username="admin", name="黃校長"),
        outsider=make_staff(other_school, "school_admin", "registry", username="outsider", name="外校管理員"),
        operator=UserFactory.create(username="operator", is_superuser=True, is_staff=True),
    )
