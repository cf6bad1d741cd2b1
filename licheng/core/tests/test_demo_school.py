"""``manage.py demo_school``: a realistic, deterministic, idempotent demo school with working demo accounts."""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from licheng.audit.models import AuditEntry
from licheng.core.demo.curriculum import DEMO_ACCOUNTS, DEMO_PASSWORD
from licheng.core.demo.plan import build_plan, student_digest
from licheng.courses.models import Course, CourseTeacher, Enrolment
from licheng.people import national_id
from licheng.people.models import ParentLink, RoleGrant, StaffMember, Student, User
from licheng.schools.models import AcademicYear, School, SchoolClass, Term

pytestmark = pytest.mark.django_db

STUDENTS = 60
YEAR = 115

EXPECTED_ROLES = {
    "admin": {"school_admin"},
    "workgroup": {"working_group"},
    "registry": {"registry"},
    "curriculum": {"curriculum"},
    "research": {"research"},
    "activities": {"activities"},
    "discipline": {"discipline"},
    "guidance": {"guidance"},
    "internship": {"internship"},
    "evening": {"continuing_education"},
    "libit": {"library_it"},
    "teacher": {"subject_teacher"},
    "homeroom": {"subject_teacher", "homeroom_teacher"},
    "counsellor": {"course_counsellor"},
    "student": {"student"},
    "parent": {"parent"},
}


def load(**options: object) -> str:
    out = io.StringIO()
    options.setdefault("students", STUDENTS)
    options.setdefault("academic_year", YEAR)
    call_command("demo_school", stdout=out, **options)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    models = (School, User, Student, StaffMember, SchoolClass, Course, CourseTeacher, Enrolment, ParentLink, RoleGrant)
    return {model.__name__: model.objects.count() for model in models} | {"audit": AuditEntry.objects.count()}


def db_student_digest(school: School) -> str:
    """The planned students (last year's graduates, added by the lifecycle's demo data, are not in the plan)."""
    planned = Student.objects.filter(school=school, status="enrolled")
    return student_digest((s.student_number, s.name, s.national_id) for s in planned)


def test_demo_school_is_a_plausible_school() -> None:
    output = load()

    school = School.objects.get(code="100001")
    assert school.name == "歷程示範高級中學"
    assert f"{STUDENTS} students" in output
    assert sorted(AcademicYear.objects.filter(school=school).values_list("year", flat=True)) == [YEAR - 1, YEAR]
    current = Term.objects.get(school=school, academic_year__year=YEAR, number=1)
    assert current.upload_opens_on and current.upload_closes_on and current.certification_closes_on
    assert current.selection_opens_on
    assert current.contains(datetime.date(2026, 11, 22))
    assert current.upload_opens_on <= datetime.date(2026, 11, 22) <= current.upload_closes_on
    assert current.ends_on < current.upload_closes_on <= current.certification_closes_on < current.selection_opens_on

    # The students of the year; last year's graduates (sealed) come on top.
    students = list(Student.objects.filter(school=school, status="enrolled").select_related("school_class"))
    assert len(students) == STUDENTS
    assert Student.objects.filter(school=school, status="graduated", sealed_at__isnull=False).exists()
    assert len({s.student_number for s in students}) == STUDENTS
    for student in students:
        assert national_id.validate(student.national_id) == student.national_id
        assert re.fullmatch(r"[\u4e00-\u9fff]{3}", student.name)
        assert student.status == "enrolled"
        assert student.school_class is not None
        grade = student.school_class.grade
        assert student.entry_year == YEAR - (grade - 10)
        born_from = datetime.date(student.entry_year + 1911 - 16, 9, 1)
        assert born_from <= student.birth_date <= datetime.date(student.entry_year + 1911 - 15, 8, 31)
        assert student.national_id[1] == str(student.sex)

    classes = list(SchoolClass.objects.filter(school=school))
    assert sorted(c.grade for c in classes) == [10, 11, 12]
    for school_class in classes:
        assert school_class.homeroom_teacher_id is not None
        assert school_class.counsellor_id is not None
        seats = sorted(s.seat or 0 for s in students if s.school_class_id == school_class.pk)
        assert seats == list(range(1, len(seats) + 1))

    courses = list(Course.objects.filter(school=school).prefetch_related("course_teachers"))
    for course in courses:
        assert re.fullmatch(r"[0-9A-Z]{23}", course.course_code)
        assert course.course_code[3:9] == "100001"
        flexible = course.course_code[16] == "9" and course.course_code[18] == "D"
        assert flexible == (course.subject_name == "彈性學習時間")
        assert re.fullmatch(r"[0-9]{6}", course.credits_per_term)
        assert len(course.course_teachers.all()) == 1
    flexible_rows = Counter((c.school_class_id, c.term_id) for c in courses if c.subject_name == "彈性學習時間")
    assert len(flexible_rows) == len(classes) * 2 and set(flexible_rows.values()) == {1}
    assert any(c.group_name and c.school_class_id is None for c in courses)

    # Everyone in a class takes that class's courses.
    enrolled = set(Enrolment.objects.filter(school=school).values_list("course_id", "student_id"))
    for course in courses:
        if course.school_class_id:
            for student in students:
                if student.school_class_id == course.school_class_id:
                    assert (course.pk, student.pk) in enrolled

    assert AuditEntry.objects.filter(school=school, action="demo_school.load").get().changes["students"] == STUDENTS


def test_every_demo_account_has_its_role_and_logs_in() -> None:
    load()
    school = School.objects.get(code="100001")
    client = Client()
    for username in DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        assert user.school_id == school.pk
        assert set(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == EXPECTED_ROLES[username]
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
    operator = User.objects.get(username="operator")
    assert operator.is_superuser and operator.school_id is None
    assert client.login(username="operator", password=DEMO_PASSWORD)
    # Generated people cannot log in: they share one unusable password.
    generated = User.objects.filter(school=school).exclude(username__in=DEMO_ACCOUNTS)
    assert generated.count() > STUDENTS
    assert not any(u.has_usable_password() for u in generated)


def test_demo_accounts_fit_together() -> None:
    load()
    student = Student.objects.get(user__username="student")
    class_101 = SchoolClass.objects.get(school=student.school, name="101")
    assert student.school_class == class_101 and class_101.grade == 10
    assert class_101.homeroom_teacher_id == User.objects.get(username="homeroom").pk
    assert class_101.counsellor_id == User.objects.get(username="counsellor").pk
    taken = Course.objects.filter(enrolments__student=student)
    assert taken.filter(course_teachers__teacher__username="teacher").exists()
    assert taken.filter(course_teachers__teacher__username="homeroom", school_class=class_101).exists()
    assert ParentLink.objects.get(parent__username="parent").student == student


def test_demo_password_works_with_the_production_hasher(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]  # type: ignore[attr-defined]
    load(students=12)
    assert User.objects.get(username="registry").password.startswith("argon2")
    assert Client().login(username="registry", password=DEMO_PASSWORD)


def test_second_run_keeps_the_data() -> None:
    load()
    before = table_counts()
    digest = db_student_digest(School.objects.get(code="100001"))
    output = load()
    assert "already exists" in output and "existing data kept" in output
    assert table_counts() == before
    assert db_student_digest(School.objects.get(code="100001")) == digest


def test_same_arguments_give_the_same_school() -> None:
    load(seed=7)
    school = School.objects.get(code="100001")
    plan = build_plan(index=0, students=STUDENTS, seed=7, academic_year=YEAR)
    assert db_student_digest(school) == plan.student_digest()
    assert build_plan(index=0, students=STUDENTS, seed=7, academic_year=YEAR).student_digest() == plan.student_digest()
    assert build_plan(index=0, students=STUDENTS, seed=8, academic_year=YEAR).student_digest() != plan.student_digest()


def test_further_schools_have_their_own_code_name_and_prefixed_accounts() -> None:
    output = load(students=20, schools=2)
    first, second = School.objects.order_by("code")
    assert (first.code, second.code) == ("100001", "100002")
    assert second.name != first.name and "示範" in second.name
    assert User.objects.get(username="100002-admin").school == second
    class_101 = SchoolClass.objects.get(school=second, name="101")
    assert Student.objects.get(user__username="100002-student").school_class_id == class_101.pk
    assert User.objects.filter(is_superuser=True).count() == 1
    assert "Loaded 2 demo school(s)" in output
    # Asking for three later adds only the third.
    load(students=20, schools=3)
    assert School.objects.count() == 3
    assert Student.objects.filter(school=first, status="enrolled").count() == 20


def test_bad_arguments_are_refused_and_change_nothing() -> None:
    with pytest.raises(CommandError, match="--students"):
        load(students=5)
    with pytest.raises(CommandError, match="--schools"):
        load(schools=0)
    assert not School.objects.exists() and not User.objects.exists()


def test_larger_school_has_evening_division_and_elective_groups() -> None:
    load(students=320, seed=1)
    school = School.objects.get(code="100001")
    evening = SchoolClass.objects.filter(school=school, division__code=2)
    assert evening.count() == 3
    assert Student.objects.filter(school=school, division__code=2).count() == round(320 * 0.06)
    assert SchoolClass.objects.filter(school=school, grade=10, division__code=1).count() == 3
    groups = Course.objects.filter(school=school, school_class=None)
    assert groups.count() > 0
    # Each grade-11 day student takes one group course per elective slot and term.
    student = Student.objects.filter(school=school, school_class__grade=11, division__code=1).first()
    assert Course.objects.filter(enrolments__student=student, school_class=None).count() == 4


def test_a_clashing_username_is_refused_before_anything_is_written() -> None:
    User.objects.create(username="registry", name="原有帳號")
    with pytest.raises(CommandError, match="registry"):
        load()
    assert not School.objects.exists()
    assert User.objects.count() == 1


def test_demo_students_carry_the_roster_codes_and_grades_of_every_sheet() -> None:
    from licheng.lifecycle.models import StatusChange
    from licheng.records.models import Grade

    load(students=400)
    school = School.objects.get(code="100001")
    planned = Student.objects.filter(school=school, user__username__startswith="100001-s") | Student.objects.filter(
        school=school, user__username="student"
    )
    assert planned.count() == 400
    assert not planned.filter(group_code="").exists() and not planned.filter(admission_route="").exists()
    assert set(planned.values_list("programme_code", flat=True)) == {"101"}
    assert planned.exclude(special_statuses="").exists()
    certified = planned.filter(indigenous_language_valid_until__isnull=False)
    assert certified.exists() and not certified.filter(indigenous_ethnicity="").exists()
    assert not certified.filter(indigenous_language_exam_year__isnull=True).exists()
    visit = StatusChange.objects.get(school=school, kind="visiting")
    assert (visit.visiting_group_code, visit.visiting_programme_code, visit.visiting_code) == ("21", "101", "A1")
    variants = Counter(Grade.objects.filter(school=school).values_list("variant", flat=True))
    assert {"retake", "makeup_course", "repeat", "transfer"} <= set(variants)
    assert Grade.objects.filter(variant="retake", retake_passed=True).exists()
    assert Grade.objects.filter(variant="transfer").exclude(transfer_identity="").exists()
    # A second run keeps all of it.
    load(students=400)
    assert Counter(Grade.objects.filter(school=school).values_list("variant", flat=True)) == variants
    assert StatusChange.objects.filter(school=school, kind="visiting").count() == 1
