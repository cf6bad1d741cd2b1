"""Write a demo-school plan to the database, fast: the school is opened through
``school_create`` (rules, divisions, role permissions, audit entry); everything else goes in with
``bulk_create`` and one ``demo_school.load`` audit entry with the counts. On PostgreSQL the two
biggest tables (enrolments, role grants), which need no keys back, go in with ``COPY`` instead, and
the loaded tables are analysed afterwards so the next queries get sensible plans."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from licheng.audit.services import Actor, record
from licheng.core.demo.curriculum import OPERATOR_USERNAME
from licheng.core.demo.plan import DIVISIONS, SchoolPlan
from licheng.courses.models import Course, CourseTeacher, Enrolment
from licheng.people import crypto
from licheng.people.models import EnrolmentStatus, ParentLink, ProxyAssignment, RoleGrant, StaffMember, Student, User
from licheng.people.roles import Role
from licheng.schools import rocdate
from licheng.schools.models import AcademicYear, Division, School, SchoolClass, Term
from licheng.schools.services import school_create

BATCH = 2000
# The tables load_plan fills, analysed after a load (see analyze).
LOADED_MODELS: list[Any] = [
    User,
    StaffMember,
    Student,
    ParentLink,
    RoleGrant,
    SchoolClass,
    Course,
    CourseTeacher,
    Enrolment,
]
EMAIL_DOMAIN = "demo.licheng.invalid"  # .invalid never delivers: demo accounts get no real mail


def term_windows(year: int, number: int) -> dict[str, datetime.date]:
    """A term's calendar bounds and work windows. Course outcomes are uploaded from the first
    school day (1 Sept / 16 Feb) until two weeks after the term; teachers certify in the same span
    plus two more weeks; students select in the fortnight after certification closes."""
    starts_on, ends_on = rocdate.term_bounds(year, number)
    first_school_day = datetime.date(starts_on.year, 9, 1) if number == 1 else datetime.date(starts_on.year, 2, 16)
    upload_closes = ends_on + datetime.timedelta(days=14)
    certification_closes = upload_closes + datetime.timedelta(days=14)
    return {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "upload_opens_on": first_school_day,
        "upload_closes_on": upload_closes,
        "certification_opens_on": first_school_day,
        "certification_closes_on": certification_closes,
        "selection_opens_on": certification_closes + datetime.timedelta(days=1),
        "selection_closes_on": certification_closes + datetime.timedelta(days=14),
    }


def _joined(year: int) -> datetime.datetime:
    """A fixed account-creation moment (the start of the academic year), so data never depends on the clock."""
    return datetime.datetime(year + rocdate.ROC_OFFSET, 8, 1, 8, 0, tzinfo=ZoneInfo("Asia/Taipei"))


def _bulk(model: Any, rows: list[Any]) -> list[Any]:
    created = model.objects.bulk_create(rows, batch_size=BATCH)
    if rows and created[0].pk is None:  # pragma: no cover - every supported database returns keys
        raise RuntimeError(f"{connection.vendor} did not return primary keys from bulk_create")
    return created


def _copy(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> int:
    """Insert plain rows: ``COPY`` on PostgreSQL (psycopg 3), ``bulk_create`` elsewhere. The rows are
    the same either way; only the round trips and the per-object cost differ."""
    if connection.vendor != "postgresql":
        names = [model._meta.get_field(name).attname for name in columns]
        _bulk(model, [model(**dict(zip(names, row, strict=True))) for row in rows])
        return len(rows)
    quoted = ", ".join('"' + model._meta.get_field(name).column + '"' for name in columns)
    sql = f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN'
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)


def analyze(models: list[Any]) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load (autovacuum may take a minute)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


@transaction.atomic
def ensure_operator(password_hash: Callable[[], str], academic_year: int) -> bool:
    """The deployment operator (superuser, no school), created once. Returns whether it was created."""
    if User.objects.filter(username=OPERATOR_USERNAME).exists():
        return False
    operator = User.objects.create(
        username=OPERATOR_USERNAME,
        name="系統維運人員",
        email=f"{OPERATOR_USERNAME}@{EMAIL_DOMAIN}",
        password=password_hash(),
        is_superuser=True,
        is_staff=True,
        date_joined=_joined(academic_year),
    )
    record(actor=Actor.system(), school=None, action="demo_school.operator_create", obj=operator)
    return True


@transaction.atomic
def load_plan(plan: SchoolPlan, *, demo_password_hash: str, unusable_password_hash: str) -> dict[str, int]:
    """Create the planned school. The caller has checked that its code is free."""
    actor = Actor.system()
    school = school_create(actor=actor, code=plan.code, name=plan.name, divisions=DIVISIONS)
    divisions = {d.code: d for d in Division.objects.filter(school=school)}
    joined = _joined(plan.academic_year)

    def user(username: str, name: str, *, demo: bool) -> User:
        return User(
            username=username,
            name=name,
            email=f"{username}@{EMAIL_DOMAIN}",
            school_id=school.pk,
            password=demo_password_hash if demo else unusable_password_hash,
            date_joined=joined,
        )

    # Calendar: the previous and the current academic year, both terms each; term 1 is current.
    years = _bulk(
        AcademicYear,
        [
            AcademicYear(school=school, year=plan.academic_year - 1),
            AcademicYear(school=school, year=plan.academic_year),
        ],
    )
    terms = _bulk(
        Term,
        [
            Term(school=school, academic_year=year, number=number, **term_windows(year.year, number))
            for year in years
            for number in (1, 2)
        ],
    )
    current_terms = {t.number: t for t in terms if t.academic_year.year == plan.academic_year}

    # Accounts.
    staff_users = _bulk(User, [user(p.username, p.name, demo=p.demo) for p in plan.staff])
    users_by_name = {u.username: u for u in staff_users}
    _bulk(
        StaffMember,
        [
            StaffMember(school_id=school.pk, user_id=u.pk, name=p.name, title=p.title, subjects=p.subjects)
            for p, u in zip(plan.staff, staff_users, strict=True)
        ],
    )
    student_users = _bulk(User, [user(s.username, s.name, demo=s.demo) for s in plan.students])
    parent_users = _bulk(User, [user(p.username, p.name, demo=p.demo) for p in plan.parents])

    # Classes, students, parents.
    classes = _bulk(
        SchoolClass,
        [
            SchoolClass(
                school=school,
                academic_year=years[1],
                division=divisions[c.division],
                grade=c.grade,
                name=c.name,
                homeroom_teacher=users_by_name.get(c.homeroom or ""),
                counsellor=users_by_name.get(c.counsellor or ""),
            )
            for c in plan.classes
        ],
    )
    student_rows: list[Student] = []
    for s, u in zip(plan.students, student_users, strict=True):
        row = Student(
            school_id=school.pk,
            user_id=u.pk,
            student_number=s.student_number,
            name=s.name,
            birth_date=s.birth_date,
            sex=s.sex,
            division_id=divisions[s.division].pk,
            school_class_id=classes[s.class_index].pk,
            seat=s.seat,
            entry_year=s.entry_year,
            status=EnrolmentStatus.ENROLLED,
            **s.roster,
        )
        row.national_id_cipher = crypto.encrypt(s.national_id)
        row.national_id_digest = crypto.digest(s.national_id)
        student_rows.append(row)
    students = _bulk(Student, student_rows)
    _bulk(
        ParentLink,
        [
            ParentLink(
                school_id=school.pk, parent_id=u.pk, student_id=students[p.student_index].pk, relation=p.relation
            )
            for p, u in zip(plan.parents, parent_users, strict=True)
        ],
    )

    # Roles.
    grants = [(school.pk, users_by_name[p.username].pk, str(role)) for p in plan.staff for role in p.roles]
    grants += [(school.pk, u.pk, str(Role.STUDENT)) for u in student_users]
    grants += [(school.pk, u.pk, str(Role.PARENT)) for u in parent_users]
    _copy(RoleGrant, ("school", "user", "role"), grants)

    # Courses, their teachers and enrolments.
    courses = _bulk(
        Course,
        [
            Course(
                school=school,
                term=current_terms[c.term],
                course_code=c.course_code,
                credits_per_term=c.credits_per_term,
                subject_name=c.subject_name,
                credits=c.credits,
                school_class=classes[c.class_index] if c.class_index is not None else None,
                group_name=c.group_name,
            )
            for c in plan.courses
        ],
    )
    course_teachers = _bulk(
        CourseTeacher,
        [
            CourseTeacher(school_id=school.pk, course_id=course.pk, teacher_id=users_by_name[username].pk)
            for c, course in zip(plan.courses, courses, strict=True)
            for username in c.teachers
        ],
    )
    student_ids = [s.pk for s in students]
    enrolments = _copy(
        Enrolment,
        ("school", "course", "student"),
        [
            (school.pk, course.pk, student_ids[index])
            for c, course in zip(plan.courses, courses, strict=True)
            for index in c.students
        ],
    )

    # Proxies for the current academic year.
    year_start, _ = rocdate.term_bounds(plan.academic_year, 1)
    _, year_end = rocdate.term_bounds(plan.academic_year, 2)
    proxies = _bulk(
        ProxyAssignment,
        [
            ProxyAssignment(
                school=school,
                principal=users_by_name[p.principal],
                proxy=users_by_name[p.proxy],
                duty=p.duty,
                office=p.office,
                order=1,
                starts_on=year_start,
                ends_on=year_end,
                reason="學年度代理人",
            )
            for p in plan.proxies
        ],
    )

    counts = {
        "classes": len(classes),
        "students": len(students),
        "staff": len(staff_users),
        "parents": len(parent_users),
        "courses": len(courses),
        "course_teachers": len(course_teachers),
        "enrolments": enrolments,
        "role_grants": len(grants),
        "proxies": len(proxies),
    }
    record(actor=actor, school=school, action="demo_school.load", obj=school, changes=counts)
    return counts


def usernames_taken(plan: SchoolPlan) -> list[str]:
    """Planned usernames that some account already has (then the plan cannot be loaded)."""
    wanted = [p.username for p in plan.staff] + [s.username for s in plan.students] + [p.username for p in plan.parents]
    taken: list[str] = []
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        taken += User.objects.filter(username__in=chunk).values_list("username", flat=True)
    return sorted(taken)


def existing_school(code: str) -> School | None:
    return School.objects.filter(code=code).first()
