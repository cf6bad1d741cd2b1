"""Reads about performances and writings, narrowed to what a user may see.

Whose performances and writings a user may see (``students_visible_to``):
- ``performances.view_all`` (guidance office, working group, school admin; or delegated as an
  office proxy) → every student of the school;
- a homeroom teacher or course counsellor → the students of their classes;
- a parent → their linked children (read-only);
- a student → themself.
Subject teachers do not see performances (they certify course outcomes, not these).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet

from licheng.people.models import ParentLink, Student
from licheng.people.selectors import may
from licheng.performances.kinds import DEFAULT_CODES, CodeTable
from licheng.performances.models import (
    Performance,
    PerformanceCode,
    PerformanceFile,
    PerformanceSelection,
    Source,
    Writing,
    WritingReview,
)

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import AcademicYear, School, SchoolClass, Term


def sees_all(user: User, school: School) -> bool:
    return may(user, school, "performances.view_all")


def students_visible_to(user: User, school: School) -> QuerySet[Student]:
    if not user.is_authenticated or user.school_id not in (None, school.pk):
        return Student.objects.none()
    students = Student.objects.filter(school=school)
    if sees_all(user, school):
        return students
    if user.school_id != school.pk:
        return Student.objects.none()
    return students.filter(
        Q(user=user)
        | Q(school_class__homeroom_teacher=user)
        | Q(school_class__counsellor=user)
        | Q(pk__in=ParentLink.objects.filter(school=school, parent=user).values("student_id"))
    )


def own_student(user: User, school: School) -> Student | None:
    """The student profile of the user, when the user is a student of this school."""
    if not user.is_authenticated or user.school_id != school.pk:
        return None
    return Student.objects.filter(school=school, user=user).select_related("school_class").first()


def may_review_as_homeroom(user: User, student: Student) -> bool:
    return student.school_class is not None and student.school_class.homeroom_teacher_id == user.pk


def may_review_as_guidance(user: User, school: School) -> bool:
    return may(user, school, "performances.review_writings")


# --- codes ---------------------------------------------------------------------------------------


def codes_for(school: School, *, active_only: bool = True) -> dict[str, dict[str, str]]:
    """table → {code: label}. A table the school has not edited yet reads as its defaults."""
    rows = PerformanceCode.objects.filter(school=school).order_by("table", "code")
    table_rows: dict[str, list[PerformanceCode]] = {}
    for row in rows:
        table_rows.setdefault(row.table, []).append(row)
    result: dict[str, dict[str, str]] = {}
    for table in CodeTable:
        if table.value in table_rows:
            result[table.value] = {r.code: r.label for r in table_rows[table.value] if r.active or not active_only}
        else:
            result[table.value] = {code: str(label) for code, label in DEFAULT_CODES[table.value]}
    return result


def code_rows(school: School) -> list[dict[str, Any]]:
    """Every code of every table, for the editing page: table, code, label, active."""
    stored = {(r.table, r.code): r for r in PerformanceCode.objects.filter(school=school)}
    edited_tables = {table for table, _code in stored}
    rows = []
    for table in CodeTable:
        if table.value in edited_tables:
            for (t, code), row in sorted(stored.items()):
                if t == table.value:
                    rows.append({"table": table, "code": code, "label": row.label, "active": row.active})
        else:
            for code, label in DEFAULT_CODES[table.value]:
                rows.append({"table": table, "code": code, "label": str(label), "active": True})
    return rows


# --- performances --------------------------------------------------------------------------------


def with_files(performances: QuerySet[Performance]) -> QuerySet[Performance]:
    return performances.select_related("academic_year", "selection").prefetch_related(
        Prefetch("performance_files", queryset=PerformanceFile.objects.select_related("stored_file"))
    )


def performances_of(student: Student, academic_year: AcademicYear | None = None) -> QuerySet[Performance]:
    """The student's performances that are not withdrawn, with their files (3 queries in all)."""
    rows = Performance.objects.filter(school_id=student.school_id, student=student, withdrawn_at__isnull=True)
    if academic_year is not None:
        rows = rows.filter(academic_year=academic_year)
    return with_files(rows).order_by("-academic_year__year", "kind", "created_at", "pk")


def performance_visible_to(user: User, school: School, pk: int) -> Performance | None:
    return (
        with_files(Performance.objects.filter(school=school, student__in=students_visible_to(user, school)))
        .select_related("student", "student__school_class")
        .filter(pk=pk)
        .first()
    )


def uploaded_count(student: Student, academic_year: AcademicYear) -> int:
    """What counts against the yearly upload cap: the student's own, not withdrawn."""
    return Performance.objects.filter(
        school_id=student.school_id,
        student=student,
        academic_year=academic_year,
        source=Source.STUDENT,
        withdrawn_at__isnull=True,
    ).count()


def selected_count(student: Student, academic_year: AcademicYear) -> int:
    return PerformanceSelection.objects.filter(
        school_id=student.school_id, student=student, academic_year=academic_year
    ).count()


# --- writings ------------------------------------------------------------------------------------


def writings_of(student: Student, term: Term) -> dict[str, Writing]:
    """kind → the student's writing for ``term``, with its reviews and attachment (2 queries)."""
    rows = (
        Writing.objects.filter(school_id=student.school_id, student=student, term=term)
        .select_related("attachment")
        .prefetch_related(Prefetch("reviews", queryset=WritingReview.objects.select_related("reviewer")))
    )
    return {w.kind: w for w in rows}


def writing_visible_to(user: User, school: School, pk: int) -> Writing | None:
    return (
        Writing.objects.filter(school=school, student__in=students_visible_to(user, school))
        .select_related("student", "student__school_class", "term__academic_year", "attachment")
        .filter(pk=pk)
        .first()
    )


# --- class overviews -----------------------------------------------------------------------------


def classes_for_overview(user: User, school: School, academic_year: AcademicYear | None) -> QuerySet[SchoolClass]:
    """Classes whose overview the user may open: every class for ``performances.view_all``; else the
    classes they are homeroom teacher or counsellor of."""
    from licheng.schools.models import SchoolClass

    classes = SchoolClass.objects.filter(school=school)
    if academic_year is not None:
        classes = classes.filter(academic_year=academic_year)
    if not sees_all(user, school):
        classes = classes.filter(Q(homeroom_teacher=user) | Q(counsellor=user))
    return classes.select_related("homeroom_teacher").order_by("grade", "name")


def classes_with_writing_counts(classes: QuerySet[SchoolClass], term: Term | None) -> QuerySet[SchoolClass]:
    """Each class with ``student_count`` and ``written_count`` (students with at least one writing in
    ``term``): one query for the whole list."""
    return classes.annotate(
        student_count=Count("students", distinct=True),
        written_count=Count(
            "students", filter=Q(students__writings__term=term) if term else Q(pk__in=[]), distinct=True
        ),
    )


def class_overview(school_class: SchoolClass, term: Term | None) -> list[Student]:
    """The class's students, each annotated with their performance counts for the term's year and
    carrying ``writing_list`` (their writings of the term, reviews loaded). Three queries."""
    students = Student.objects.filter(school_id=school_class.school_id, school_class=school_class)
    if term is None:
        return list(students.order_by("seat", "student_number"))
    year_id = term.academic_year_id
    students = students.annotate(
        uploaded=Count(
            "performances",
            filter=Q(
                performances__academic_year_id=year_id,
                performances__withdrawn_at__isnull=True,
            ),
            distinct=True,
        ),
        selected=Count(
            "performance_selections",
            filter=Q(performance_selections__academic_year_id=year_id),
            distinct=True,
        ),
    ).prefetch_related(
        Prefetch(
            "writings",
            queryset=Writing.objects.filter(term=term).prefetch_related("reviews"),
            to_attr="writing_list",
        )
    )
    return list(students.order_by("seat", "student_number"))
