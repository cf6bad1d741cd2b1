"""Demo data for staff-entered records: the course codes of the school's courses, grades for the
students' past terms, a few cadre roles (class leaders, some verified), attendance, elective names,
one counselling session and a couple of office-entered learning records. Idempotent: nothing is
added when the school already has grades."""

from __future__ import annotations

import datetime
import decimal
import zlib
from typing import Any

from django.utils import timezone
from django_scopes import scope

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.courses.models import Course, Enrolment
from licheng.people.models import RoleGrant, Student
from licheng.people.roles import Role
from licheng.records.cells import CREDITS_PER_TERM
from licheng.records.course_code_txt import course_code_metadata, is_flexible_or_group
from licheng.records.models import (
    AttendanceKind,
    AttendanceRecord,
    CadreLevel,
    CadreRole,
    CourseCode,
    CreditCounted,
    ElectiveCategory,
    ElectiveCourseName,
    Grade,
    GradeVariant,
)
from licheng.schools import rocdate
from licheng.schools.models import School, Term

MAX_STUDENTS = 300
UPPER_GRADE_STUDENTS = 20  # per grade, see ``_upper_grades``
PAST_SUBJECTS = [("國文", 4), ("英文", 4), ("數學", 4), ("歷史", 2), ("地理", 2), ("物理", 2), ("化學", 2), ("生物", 2)]


def _score(*parts: object) -> decimal.Decimal:
    """A stable, plausible score (48–98) for a student, term and subject."""
    seed = zlib.crc32("|".join(str(p) for p in parts).encode())
    return decimal.Decimal(48 + seed % 51)


def _user(school: School, *roles: str) -> Actor | None:
    grant = (
        RoleGrant.objects.filter(school=school, role__in=roles).select_related("user").order_by("role", "pk").first()
    )
    return Actor(user=grant.user) if grant else None


def _course_codes(school: School, now: datetime.datetime) -> None:
    if CourseCode.objects.filter(school=school).exists():
        return
    rows = {}
    for code, credits, name in Course.objects.filter(school=school).values_list(
        "course_code", "credits_per_term", "subject_name"
    ):
        if len(code) == 23 and code.isalnum() and code not in rows:
            rows[code] = CourseCode(
                school=school,
                code=code,
                credits_per_term=credits if CREDITS_PER_TERM.match(credits) else "000000",
                entry_year=int(code[:3]),
                is_flexible_or_group=is_flexible_or_group(code),
                metadata=course_code_metadata(code),
                subject_name=name[:60],
                imported_at=now,
            )
    CourseCode.objects.bulk_create(rows.values(), batch_size=1000)


def _grades(school: School, students: list[Student], current: Term | None, today: datetime.date) -> None:
    grades: list[Grade] = []
    seen: set[tuple[int, int, int, str]] = set()

    def add(student: Student, year: int, term: int, code: str, subject: str, level: int, credits: int) -> None:
        key = (student.pk, year, term, code)
        if key in seen:
            return
        seen.add(key)
        score = _score(student.student_number, year, term, subject)
        passed = score >= 60
        grades.append(
            Grade(
                school=school,
                student=student,
                academic_year=year,
                term=term,
                course_code=code,
                subject_name=subject,
                grade_level=level,
                credits=credits,
                score=score,
                passed=passed,
                makeup_score=None if passed else decimal.Decimal(60),
                makeup_passed=None if passed else True,
                credit_counted=CreditCounted.COUNTED,
            )
        )

    # Terms of this school that have ended: the real enrolments.
    ids = [s.pk for s in students]
    for enrolment in Enrolment.objects.filter(
        school=school, student_id__in=ids, course__term__ends_on__lt=today
    ).select_related("course", "course__term__academic_year", "course__school_class", "student__school_class"):
        course, student = enrolment.course, enrolment.student
        school_class = course.school_class or student.school_class
        level = school_class.grade if school_class is not None else 10
        add(
            student,
            course.term.academic_year.year,
            course.term.number,
            course.course_code,
            course.subject_name,
            level,
            course.credits,
        )
    # Earlier years (before the demo calendar): the common subjects, one line per term.
    first_year = current.academic_year.year if current else rocdate.academic_year_of(today)
    for student in students:
        for year in range(student.entry_year, first_year):
            level = 10 + year - student.entry_year
            if level > 12:
                continue
            for term in (1, 2):
                for position, (subject, credits) in enumerate(PAST_SUBJECTS):
                    code = f"{student.entry_year:03d}{school.code}A11010{level - 9}0{position:06d}"[:23]
                    add(student, year, term, code, subject, level, credits)
    evening_ids = {s.pk for s in students if s.division.code == EVENING_DIVISION}
    grades.extend(_variant_grades(grades, first_year, evening_ids))
    Grade.objects.bulk_create(grades, batch_size=1000)


EVENING_DIVISION = 2  # 進修部's division code (``licheng.core.demo.plan.EVENING``)


def _variant_grades(grades: list[Grade], first_year: int, evening_ids: set[int]) -> list[Grade]:
    """A few grades of every other sheet of the grade roster, from the regular ones: retakes (重修) and
    make-up courses (補修) of failed courses, a repeated year (重讀), a transfer credit (轉學轉科), and for
    進修部 the year score of each year course and its make-up exams (進修部補考)."""
    extra: list[Grade] = []
    failed = [g for g in grades if g.passed is False]
    used: set[int] = set()
    for grade in failed:
        if grade.student_id in used or len(used) >= 9:
            continue
        kind = len(used) % 3
        used.add(grade.student_id)
        common: dict[str, Any] = {
            "school": grade.school,
            "student": grade.student,
            "course_code": grade.course_code,
            "subject_name": grade.subject_name,
            "grade_level": grade.grade_level,
            "credits": grade.credits,
            "credit_counted": CreditCounted.COUNTED,
        }
        later = min(grade.academic_year + 1, first_year)
        if kind == 0:
            extra.append(
                Grade(
                    **common,
                    academic_year=later,
                    term=grade.term,
                    variant=GradeVariant.RETAKE,
                    score=decimal.Decimal(62),
                    passed=True,
                    method="重補修專班",
                    original_academic_year=grade.academic_year,
                    original_term=grade.term,
                    original_course_code=grade.course_code,
                    original_subject_name=grade.subject_name,
                    original_grade_level=grade.grade_level,
                    original_credits=grade.credits,
                    retake_score=decimal.Decimal(62),
                    retake_passed=True,
                )
            )
        elif kind == 1:
            extra.append(
                Grade(
                    **common,
                    academic_year=later,
                    term=grade.term,
                    variant=GradeVariant.MAKEUP_COURSE,
                    score=decimal.Decimal(70),
                    passed=True,
                    due_academic_year=grade.academic_year,
                    due_term=grade.term,
                    method="自學輔導",
                )
            )
        else:
            extra.append(
                Grade(
                    **common,
                    academic_year=grade.academic_year,
                    term=grade.term,
                    variant=GradeVariant.REPEAT,
                    score=decimal.Decimal(66),
                    passed=True,
                    is_repeat=True,
                )
            )
    # One transfer credit (轉學轉科) of a student who came from another school.
    passed = [g for g in grades if g.passed and g.grade_level == 10 and g.student_id not in used]
    if passed:
        grade = passed[len(passed) // 2]
        extra.append(
            Grade(
                school=grade.school,
                student=grade.student,
                academic_year=grade.academic_year,
                term=grade.term,
                variant=GradeVariant.TRANSFER,
                course_code=grade.course_code,
                subject_name=grade.subject_name,
                grade_level=grade.grade_level,
                credits=grade.credits,
                score=grade.score,
                passed=True,
                credit_counted=CreditCounted.COUNTED,
                mapped_academic_year=grade.academic_year,
                mapped_term=grade.term,
                mapped_grade_level=grade.grade_level,
                transfer_score=grade.score,
                transfer_identity="1",  # 轉學生
            )
        )
    # 進修部: year courses have a year score, and a failed year a make-up exam (first and second).
    evening: dict[tuple[int, int, str], dict[int, Grade]] = {}
    for grade in grades:
        if grade.variant == GradeVariant.REGULAR and grade.student_id in evening_ids:
            evening.setdefault((grade.student_id, grade.academic_year, grade.course_code), {})[grade.term] = grade
    exams = 0
    for terms in evening.values():
        if 1 not in terms or 2 not in terms:
            continue
        first, second = terms[1], terms[2]
        year_score = ((first.score or decimal.Decimal(0)) + (second.score or decimal.Decimal(0))) / 2
        second.year_score = year_score.quantize(decimal.Decimal("0.01"))
        second.year_passed = year_score >= 60
        if year_score < 60 and exams < 5:
            exams += 1
            periods = (first.credits or 2) * 18
            extra.append(
                Grade(
                    school=second.school,
                    student=second.student,
                    academic_year=second.academic_year,
                    term=2,
                    variant=GradeVariant.MAKEUP_EXAM,
                    course_code=second.course_code,
                    subject_name=second.subject_name,
                    grade_level=second.grade_level,
                    credits=0,
                    term1_periods=periods,
                    term2_periods=periods,
                    makeup_score=decimal.Decimal(52),
                    makeup_passed=False,
                    second_makeup_score=decimal.Decimal(64),
                    second_makeup_passed=True,
                    credit_counted=CreditCounted.COUNTED,
                )
            )
    return extra


def _cadre_roles_and_attendance(school: School, students: list[Student], current: Term | None) -> None:
    if current is None:
        return
    year, term = current.academic_year.year, current.number
    starts, ends = current.starts_on, current.ends_on
    leaders = [s for s in students if s.seat in (1, 2)][:40]
    roles = []
    for student in leaders:
        post = "班長" if student.seat == 1 else "副班長"
        unit = f"{student.school_class.name}班" if student.school_class else "班級"
        roles.append(
            CadreRole(
                school=school,
                student=student,
                academic_year=year,
                term=term,
                unit=unit,
                post=post,
                level=CadreLevel.CLASS,
                starts_on=starts,
                ends_on=ends,
                verified_at=timezone.now() if student.seat == 1 else None,
            )
        )
    if students:
        roles.append(
            CadreRole(
                school=school,
                student=students[0],
                academic_year=year,
                term=term,
                unit="熱音社",
                post="社長",
                level=CadreLevel.CLUB,
                starts_on=starts,
                ends_on=ends,
            )
        )
    CadreRole.objects.bulk_create(roles)
    kinds = [AttendanceKind.SICK, AttendanceKind.PERSONAL, AttendanceKind.LATE, AttendanceKind.OFFICIAL]
    records = [
        AttendanceRecord(
            school=school,
            student=student,
            academic_year=year,
            term=term,
            kind=kinds[i % len(kinds)],
            periods=1 + zlib.crc32(student.student_number.encode()) % 6,
        )
        for i, student in enumerate(students[::7][:40])
    ]
    AttendanceRecord.objects.bulk_create(records)


def _electives(school: School, current: Term | None) -> None:
    if current is None:
        return
    names = ["程式設計與生活應用", "生活中的化學", "英語簡報實務", "地方創生專題"]
    courses = Course.objects.filter(school=school, term=current, school_class__isnull=True).order_by("pk")[:4]
    categories = [ElectiveCategory.DIVERSE, ElectiveCategory.ADVANCED, ElectiveCategory.DIVERSE, ElectiveCategory.OTHER]
    seen = set()
    rows = []
    for course, name, category in zip(courses, names, categories, strict=False):
        if course.course_code in seen:
            continue
        seen.add(course.course_code)
        rows.append(
            ElectiveCourseName(
                school=school,
                academic_year=current.academic_year.year,
                term=current.number,
                course_code=course.course_code,
                name=name,
                category=category,
            )
        )
    ElectiveCourseName.objects.bulk_create(rows)


def _counselling(school: School, students: list[Student], today: datetime.date) -> None:
    from licheng.counselling.services import counselling_session_create

    student = next((s for s in students if s.school_class and s.school_class.counsellor_id), None)
    if student is None or student.school_class is None:
        return
    counsellor = student.school_class.counsellor
    try:
        counselling_session_create(
            actor=Actor(user=counsellor),
            school=school,
            counsellor=counsellor,  # type: ignore[arg-type]
            kind="individual",
            held_on=today - datetime.timedelta(days=14),
            starts_at=datetime.time(12, 10),
            ends_at=datetime.time(12, 50),
            place="輔導室諮詢室",
            students=[student],
            content="討論高二選課方向：對資訊與數學有興趣，考慮選修「程式設計與生活應用」及數學加深加廣課程。",
            advice="建議先參加資訊學群講座，再與家長討論；下學期初再次諮詢。",
        )
    except ServiceError:
        return


def _office_records(school: School, students: list[Student], current: Term | None) -> None:
    from licheng.records.office_services import office_record_save

    actor = _user(school, Role.INTERNSHIP, Role.CURRICULUM, Role.ACTIVITIES, Role.SCHOOL_ADMIN)
    if actor is None or current is None or len(students) < 2:
        return
    year, term = current.academic_year.year, current.number
    day = min(current.starts_on + datetime.timedelta(days=40), current.ends_on)
    entries: list[tuple[str, Student, dict[str, Any]]] = [
        (
            "flexible_learning",
            students[0],
            {
                "flexible_kind": "1",
                "title": "自主學習：Python 資料分析入門",
                "unit": "教務處",
                "year": year,
                "term": str(term),
                "periods_per_week": 2,
                "weeks": 18,
            },
        ),
        (
            "service_learning",
            students[1],
            {
                "name": "社區淨灘服務",
                "organisation": "海洋保育協會",
                "start": day.isoformat(),
                "end": day.isoformat(),
                "hours": "4",
            },
        ),
        (
            "certificates",
            students[0],
            {"certificate_code": "1100301", "certificate_kind": "2", "date": day.isoformat(), "score": "合格"},
        ),
    ]
    for kind, student, fields in entries:
        try:
            office_record_save(actor=actor, school=school, kind=kind, student=student, fields=fields)
        except ServiceError:
            continue


def _upper_grades(school: School, students: list[Student]) -> list[Student]:
    """Some students of grades 11 and 12 besides the first ``MAX_STUDENTS`` (who are mostly grade 10),
    so that past years' grades, and the retakes, make-up courses and transfer credits among them, exist
    in the first term too."""
    taken = {s.pk for s in students}
    more: list[Student] = []
    upper = Student.objects.filter(school=school, sealed_at__isnull=True).select_related("school_class", "division")
    for chosen in (
        upper.filter(school_class__grade=11),
        upper.filter(school_class__grade=12),
        upper.filter(school_class__grade__gt=10, division__code=EVENING_DIVISION),  # 進修部
    ):
        for student in chosen.order_by("school_class__name", "seat", "pk")[:UPPER_GRADE_STUDENTS]:
            if student.pk not in taken:
                taken.add(student.pk)
                more.append(student)
    return more


def add_demo_data(school: School, *, today: datetime.date) -> None:
    from licheng.schools.selectors import current_term

    with scope(school=school):
        # Done once: any of what the steps below create means they ran (a school in its first term
        # has no past grades, so grades alone do not tell).
        if Grade.objects.filter(school=school).exists() or CadreRole.objects.filter(school=school).exists():
            return
        current = current_term(school, today)
        students = list(
            Student.objects.filter(school=school, sealed_at__isnull=True)
            .select_related("school_class", "school_class__counsellor", "division")
            .order_by("school_class__grade", "school_class__name", "seat", "pk")[:MAX_STUDENTS]
        )
        _course_codes(school, timezone.now())
        _grades(school, students + _upper_grades(school, students), current, today)
        _cadre_roles_and_attendance(school, students, current)
        _electives(school, current)
        _counselling(school, students, today)
        _office_records(school, students, current)
