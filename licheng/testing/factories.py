"""factory_boy factories. Schools are opened through the real service so they carry their rules,
divisions and role permissions exactly as in production."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import factory

from licheng.audit.services import Actor
from licheng.courses.models import Course, CourseTeacher, Enrolment
from licheng.people import crypto, national_id
from licheng.people.models import ParentLink, RoleGrant, StaffMember, Student, User
from licheng.schools import rocdate
from licheng.schools.models import AcademicYear, Division, School, SchoolClass, Term
from licheng.schools.services import school_create

_school_codes = itertools.count(100001)
_id_serial = itertools.count(10000000)


def make_school(code: str | None = None, name: str = "測試高級中學") -> School:
    return school_create(actor=Actor.system(), code=code or f"{next(_school_codes):06d}", name=name)


def fictional_national_id(sex: int = 1) -> str:
    return national_id.with_check_digit(f"Z{sex}{next(_id_serial) % 10_000_000:07d}")


def make_term(school: School, year: int = 114, number: int = 1, **windows: Any) -> Term:
    academic_year, _ = AcademicYear.objects.get_or_create(school=school, year=year)
    starts_on, ends_on = rocdate.term_bounds(year, number)
    return Term.objects.create(
        school=school, academic_year=academic_year, number=number, starts_on=starts_on, ends_on=ends_on, **windows
    )


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"使用者{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.edu.tw")
    password = factory.django.Password("correct-horse-battery")


class SchoolClassFactory(factory.django.DjangoModelFactory[SchoolClass]):
    class Meta:
        model = SchoolClass

    school = factory.LazyFunction(make_school)
    academic_year = factory.LazyAttribute(lambda o: AcademicYear.objects.get_or_create(school=o.school, year=114)[0])
    division = factory.LazyAttribute(lambda o: Division.objects.filter(school=o.school).order_by("code").first())
    grade = 10
    name = factory.Sequence(lambda n: f"{100 + n}")


class StudentFactory(factory.django.DjangoModelFactory[Student]):
    class Meta:
        model = Student
        exclude = ("nid",)
        skip_postgeneration_save = True

    school_class = factory.SubFactory(SchoolClassFactory)
    school = factory.SelfAttribute("school_class.school")
    user = factory.LazyAttribute(lambda o: UserFactory.create(school=o.school))
    student_number = factory.Sequence(lambda n: f"{114}{n:04d}")
    name = factory.Sequence(lambda n: f"學生{n}")
    nid = factory.LazyFunction(fictional_national_id)
    national_id_cipher = factory.LazyAttribute(lambda o: crypto.encrypt(o.nid))
    national_id_digest = factory.LazyAttribute(lambda o: crypto.digest(o.nid))
    birth_date = datetime.date(2009, 5, 17)
    sex = 1
    division = factory.SelfAttribute("school_class.division")
    seat = factory.Sequence(lambda n: n % 99 + 1)  # the seat check allows 1–99
    entry_year = 114

    @factory.post_generation
    def role(obj: Student, create: bool, extracted: Any, **kwargs: Any) -> None:
        RoleGrant.objects.get_or_create(school=obj.school, user=obj.user, role="student")


def make_staff(school: School, *roles: str, username: str | None = None, name: str = "教職員") -> User:
    user = UserFactory.create(school=school, name=name, **({"username": username} if username else {}))
    StaffMember.objects.create(school=school, user=user, name=name)
    for role in roles:
        RoleGrant.objects.create(school=school, user=user, role=role)
    return user


def make_parent(student: Student, username: str | None = None) -> User:
    user = UserFactory.create(
        school=student.school, name=f"{student.name}家長", **({"username": username} if username else {})
    )
    RoleGrant.objects.create(school=student.school, user=user, role="parent")
    ParentLink.objects.create(school=student.school, parent=user, student=student, relation="母")
    return user


def make_course(
    term: Term, teacher: User, *, subject: str = "國文", school_class: SchoolClass | None = None, credits: int = 4
) -> Course:
    course = Course.objects.create(
        school=term.school,
        term=term,
        course_code="114123456A11010100000001"[:23],
        credits_per_term="444440",
        subject_name=subject,
        credits=credits,
        school_class=school_class,
        group_name="" if school_class else "選修A",
    )
    CourseTeacher.objects.create(school=term.school, course=course, teacher=teacher)
    return course


def enrol(course: Course, *students: Student) -> None:
    Enrolment.objects.bulk_create(Enrolment(school=course.school, course=course, student=s) for s in students)
