from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from licheng.courses.models import Enrolment
from licheng.people.models import RoleGrant, Student, User
from licheng.portfolio.models import CourseOutcome, CourseOutcomeSelection, CourseOutcomeVersion
from licheng.schools.models import SchoolClass
from licheng.testing.personas import Personas

_serial = itertools.count(1)


def grow(p: Personas, students: int, *, classes: int = 30) -> None:
    """Add ``students`` students in ``classes`` classes over grades 10–12, in bulk: each uploads one
    course outcome to the personas' course; every other one is certified, every fourth selected."""
    batch = next(_serial)
    division = p.school_class.division
    made = SchoolClass.objects.bulk_create(
        SchoolClass(
            school=p.school,
            academic_year=p.school_class.academic_year,
            division=division,
            grade=10 + i % 3,
            name=f"B{batch}-{i:02d}",
        )
        for i in range(classes)
    )
    users = User.objects.bulk_create(
        User(username=f"bulk{batch}-{i}", school=p.school, name=f"學生{i}", password="!") for i in range(students)
    )
    RoleGrant.objects.bulk_create(RoleGrant(school=p.school, user=u, role="student") for u in users)
    pupils = Student.objects.bulk_create(
        Student(
            school=p.school,
            user=u,
            student_number=f"9{batch:02d}{i:05d}",
            name=f"學生{i}",
            national_id_cipher="-",
            national_id_digest=f"{batch:08d}{i:056d}",
            birth_date=datetime.date(2009, 1, 1),
            sex=1,
            division=division,
            school_class=made[i % classes],
            seat=i // classes + 1,
            entry_year=114,
        )
        for i, u in enumerate(users)
    )
    Enrolment.objects.bulk_create(Enrolment(school=p.school, course=p.course, student=s) for s in pupils)
    outcomes = CourseOutcome.objects.bulk_create(
        CourseOutcome(
            school=p.school, student=s, course=p.course, term=p.term, academic_year_id=p.term.academic_year_id
        )
        for s in pupils
    )
    now = timezone.now()
    versions = CourseOutcomeVersion.objects.bulk_create(
        CourseOutcomeVersion(
            school=p.school,
            outcome=o,
            number=1,
            description="作品",
            state="passed" if i % 2 == 0 else "pending",
            decided_at=now if i % 2 == 0 else None,
            decided_by=p.subject_teacher if i % 2 == 0 else None,
        )
        for i, o in enumerate(outcomes)
    )
    CourseOutcomeSelection.objects.bulk_create(
        CourseOutcomeSelection(
            school=p.school, student=o.student, academic_year_id=o.academic_year_id, outcome=o, version=v
        )
        for i, (o, v) in enumerate(zip(outcomes, versions, strict=True))
        if i % 4 == 0
    )
