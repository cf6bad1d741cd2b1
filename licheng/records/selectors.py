"""Reads of staff records, narrowed to what a user may see.

Grades list: ``records.view_grades`` (registry, curriculum, working group, admin) sees every grade.
A transcript (one student's grades) is also open to the student themself, their homeroom teacher and
their parents; anyone else gets 404.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from licheng.people.models import ParentLink, Student
from licheng.people.selectors import may
from licheng.records.models import CourseCode, Grade, ImportBatch

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School


def grade_list(
    user: User,
    school: School,
    *,
    academic_year: int | None = None,
    term: int | None = None,
    class_id: int | None = None,
    course_code: str = "",
    search: str = "",
) -> QuerySet[Grade]:
    """Grades for ``records.view_grades`` holders, with each student and class loaded (one query)."""
    if not may(user, school, "records.view_grades"):
        return Grade.objects.none()
    grades = Grade.objects.filter(school=school).select_related("student", "student__school_class")
    if academic_year:
        grades = grades.filter(academic_year=academic_year)
    if term:
        grades = grades.filter(term=term)
    if class_id:
        grades = grades.filter(student__school_class_id=class_id)
    if course_code:
        grades = grades.filter(course_code__startswith=course_code.strip().upper())
    if search:
        grades = grades.filter(Q(student__student_number=search) | Q(student__name__icontains=search))
    return grades.order_by("-academic_year", "-term", "student__student_number", "course_code", "variant")


def transcript_students(user: User, school: School) -> QuerySet[Student]:
    """Students whose transcript ``user`` may open."""
    students = Student.objects.filter(school=school)
    if may(user, school, "records.view_grades"):
        return students
    if user.school_id != school.pk:
        return Student.objects.none()
    return students.filter(
        Q(user=user)
        | Q(school_class__homeroom_teacher=user)
        | Q(pk__in=ParentLink.objects.filter(school=school, parent=user).values("student_id"))
    )


def transcript_student(user: User, school: School, pk: int) -> Student:
    return get_object_or_404(transcript_students(user, school).select_related("school_class"), pk=pk)


def transcript(student: Student) -> dict[str, Any]:
    """The student's grades by term, with credits attempted and earned per term and in all."""
    terms: OrderedDict[str, dict[str, Any]] = OrderedDict()
    total_credits = total_earned = 0
    for grade in Grade.objects.filter(school_id=student.school_id, student=student).order_by(
        "academic_year", "term", "course_code", "variant"
    ):
        entry = terms.setdefault(grade.term_label, {"label": grade.term_label, "grades": [], "credits": 0, "earned": 0})
        entry["grades"].append(grade)
        entry["credits"] += grade.credits
        entry["earned"] += grade.credits_earned
        total_credits += grade.credits
        total_earned += grade.credits_earned
    return {"terms": list(terms.values()), "credits": total_credits, "earned": total_earned}


def course_codes(school: School, *, entry_year: int | None = None, search: str = "") -> QuerySet[CourseCode]:
    codes = CourseCode.objects.filter(school=school)
    if entry_year:
        codes = codes.filter(entry_year=entry_year)
    if search:
        codes = codes.filter(Q(code__startswith=search.strip().upper()) | Q(subject_name__icontains=search))
    return codes


def import_batches(user: User, school: School, record_type: str) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(school=school, record_type=record_type).select_related("created_by")


def import_batch(user: User, school: School, record_type: str, pk: int) -> ImportBatch:
    return get_object_or_404(ImportBatch.objects.filter(school=school, record_type=record_type), pk=pk)


# ---------------------------------------------------------------------------------------------
# Cadre roles, attendance, rewards and penalties
# ---------------------------------------------------------------------------------------------


def staff_record_list(
    user: User,
    school: School,
    kind: str,
    *,
    academic_year: int | None = None,
    term: int | None = None,
    class_id: int | None = None,
    search: str = "",
    choice: str = "",
    verified: str = "",
) -> QuerySet[Any]:
    """Records of ``kind`` for holders of its manage permission, each student and class loaded
    with them (one query). ``choice`` filters the level (cadre) or kind; ``verified`` is yes/no."""
    from licheng.records.staff_records import KINDS

    spec = KINDS[kind]
    manager = spec.model._default_manager
    if not may(user, school, spec.permission):
        return manager.none()
    rows = manager.filter(school=school).select_related("student", "student__school_class")
    if academic_year:
        rows = rows.filter(academic_year=academic_year)
    if term:
        rows = rows.filter(term=term)
    if class_id:
        rows = rows.filter(student__school_class_id=class_id)
    if search:
        rows = rows.filter(Q(student__student_number=search) | Q(student__name__icontains=search))
    if choice and kind != "career_exploration":
        rows = (
            rows.filter(level=int(choice) if choice.isdigit() else -1)
            if kind == "cadre_roles"
            else rows.filter(kind=choice)
        )
    if kind == "cadre_roles" and verified in ("yes", "no"):
        rows = rows.filter(verified_at__isnull=verified == "no")
    return rows.order_by("-academic_year", "-term", "student__student_number", "pk")


def staff_record(user: User, school: School, kind: str, pk: int) -> Any:
    """One record the user may change (manage permission), else 404."""
    return get_object_or_404(staff_record_list(user, school, kind), pk=pk)


def record_students(user: User, school: School) -> QuerySet[Student]:
    """Students whose cadre roles, attendance and rewards/penalties ``user`` may read: those whose
    transcript they may open, or every student for the sections that enter these records."""
    if any(
        may(user, school, code)
        for code in ("records.manage_cadre_roles", "records.manage_discipline", "records.manage_career")
    ):
        return Student.objects.filter(school=school)
    return transcript_students(user, school)


def student_records(student: Student) -> dict[str, list[Any]]:
    from licheng.records.models import AttendanceRecord, CadreRole, CareerExploration, RewardPenalty

    where = {"school_id": student.school_id, "student": student}
    return {
        "cadre_roles": list(CadreRole.objects.filter(**where).order_by("academic_year", "term", "starts_on")),
        "attendance": list(AttendanceRecord.objects.filter(**where).order_by("academic_year", "term", "kind")),
        "rewards_penalties": list(
            RewardPenalty.objects.filter(**where).order_by("academic_year", "term", "decided_on")
        ),
        "career_exploration": list(
            CareerExploration.objects.filter(**where).order_by("academic_year", "term", "held_on")
        ),
    }


# ---------------------------------------------------------------------------------------------
# Office-entered learning records
# ---------------------------------------------------------------------------------------------


def office_record_list(
    user: User,
    school: School,
    kind: str,
    *,
    academic_year: int | None = None,
    class_id: int | None = None,
    search: str = "",
) -> QuerySet[Any]:
    """One kind's office records for holders of ``performances.record``, each with its student,
    class and performance (one query)."""
    from licheng.records.office_models import OfficeRecord

    if not may(user, school, "performances.record"):
        return OfficeRecord.objects.none()
    rows = OfficeRecord.objects.filter(school=school, kind=kind).select_related(
        "student", "student__school_class", "performance"
    )
    if academic_year:
        rows = rows.filter(academic_year=academic_year)
    if class_id:
        rows = rows.filter(student__school_class_id=class_id)
    if search:
        rows = rows.filter(Q(student__student_number=search) | Q(student__name__icontains=search))
    return rows.order_by("-academic_year", "student__student_number", "pk")


def office_record(user: User, school: School, pk: int) -> Any:
    from licheng.records.office_models import OfficeRecord

    if not may(user, school, "performances.record"):
        raise Http404
    return get_object_or_404(OfficeRecord.objects.filter(school=school).select_related("student", "performance"), pk=pk)
