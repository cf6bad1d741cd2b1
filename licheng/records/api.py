"""``/api/v1/records``: grades, a student's transcript, the course codes and elective course names,
the pre-check roster. Records the offices enter one at a time: ``records.staff_api`` (cadre roles,
attendance, rewards and penalties, career exploration) and ``records.office_api``."""

from __future__ import annotations

import decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from licheng.api.auth import require
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.people.models import Student
from licheng.people.selectors import may
from licheng.records import selectors, services
from licheng.records.forms import GradeForm
from licheng.records.models import Grade

router = Router(tags=["records"])

API_PAGE_SIZE = 200


class GradeOut(Schema):
    id: int
    student_id: int
    student_number: str
    term: str
    variant: str
    course_code: str
    subject_name: str
    grade_level: int
    credits: int
    periods: int | None
    score: decimal.Decimal | None
    passed: bool | None
    makeup_score: decimal.Decimal | None
    makeup_passed: bool | None
    credit_counted: int | None
    qualitative_description: str
    credits_earned: int

    @staticmethod
    def of(grade: Grade) -> GradeOut:
        return GradeOut(
            id=grade.pk,
            student_id=grade.student_id,
            student_number=grade.student.student_number,
            term=grade.term_label,
            variant=grade.variant,
            course_code=grade.course_code,
            subject_name=grade.subject_name,
            grade_level=grade.grade_level,
            credits=grade.credits,
            periods=grade.periods,
            score=grade.score,
            passed=grade.passed,
            makeup_score=grade.makeup_score,
            makeup_passed=grade.makeup_passed,
            credit_counted=grade.credit_counted,
            qualitative_description=grade.qualitative_description,
            credits_earned=grade.credits_earned,
        )


class GradeFilters(Schema):
    term: str = ""
    class_id: int | None = None
    course_code: str = ""
    student_number: str = ""
    offset: int = 0


class GradeIn(Schema):
    student_number: str
    term: str
    variant: str = "regular"
    course_code: str
    subject_name: str
    grade_level: int
    credits: int | None = None
    periods: int | None = None
    score: decimal.Decimal | None = None
    passed: bool | None = None
    makeup_score: decimal.Decimal | None = None
    makeup_passed: bool | None = None
    credit_counted: int | None = None
    qualitative_description: str = ""
    due_term: str = ""
    method: str = ""
    original_term: str = ""
    original_course_code: str = ""
    original_subject_name: str = ""
    original_grade_level: int | None = None
    original_credits: int | None = None
    original_periods: int | None = None
    retake_score: decimal.Decimal | None = None
    mapped_term: str = ""
    mapped_grade_level: int | None = None
    transfer_score: decimal.Decimal | None = None


class TermOut(Schema):
    term: str
    credits: int
    earned: int
    grades: list[GradeOut]


class TranscriptOut(Schema):
    student_id: int
    student_number: str
    name: str
    credits: int
    earned: int
    terms: list[TermOut]


class CourseCodeOut(Schema):
    code: str
    credits_per_term: str
    entry_year: int
    is_flexible_or_group: bool
    subject_name: str


@router.get("/grades", response=list[GradeOut], url_name="records_grades")
def grade_list(request: HttpRequest, filters: Query[GradeFilters]) -> list[GradeOut]:
    """Grades (needs ``records.view_grades``), newest term first, 200 at a time (``offset``)."""
    require(request, "records.view_grades")
    from licheng.schools import rocdate

    year = number = None
    if filters.term:
        try:
            year, number = rocdate.parse_term(filters.term)
        except rocdate.RocDateError as error:
            raise HttpError(422, str(error)) from None
    grades = selectors.grade_list(
        request.user,  # type: ignore[arg-type]
        request.school,  # type: ignore[attr-defined]
        academic_year=year,
        term=number,
        class_id=filters.class_id,
        course_code=filters.course_code,
        search=filters.student_number,
    )
    offset = max(filters.offset, 0)
    return [GradeOut.of(g) for g in grades[offset : offset + API_PAGE_SIZE]]


@router.post("/grades", response={201: GradeOut}, url_name="records_grade_create")
def grade_create(request: HttpRequest, payload: GradeIn) -> Status[GradeOut]:
    """Enter one grade (needs ``records.manage_grades``); the same checks as the form."""
    require(request, "records.manage_grades")
    data = payload.model_dump()
    form = GradeForm({k: ("" if v is None else v) for k, v in data.items()})
    if not form.is_valid():
        raise HttpError(422, "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items()))
    student = Student.objects.filter(school=request.school, student_number=payload.student_number).first()  # type: ignore[attr-defined]
    if student is None:
        raise HttpError(422, _("No student with number %(value)s in this school.") % {"value": payload.student_number})
    try:
        grade = services.grade_save(
            actor=Actor.from_request(request),
            school=request.school,  # type: ignore[attr-defined]
            student=student,
            values=form.grade_values(),
        )
    except ServiceError as error:
        raise HttpError(422, error.message) from None
    grade.student = student
    return Status(201, GradeOut.of(grade))


class GradeDeleteIn(Schema):
    reason: str


@router.delete("/grades/{grade_id}", response={204: None}, url_name="records_grade_delete")
def grade_delete(request: HttpRequest, grade_id: int, payload: GradeDeleteIn) -> Status[Any]:
    """Delete a grade entered by mistake (needs ``records.manage_grades``); ``reason`` is required
    and kept in the audit trail."""
    require(request, "records.manage_grades")
    grade: Grade = get_object_or_404(
        Grade.objects.filter(school=request.school).select_related("student"),  # type: ignore[attr-defined]
        pk=grade_id,
    )
    try:
        services.grade_delete(
            actor=Actor.from_request(request),
            school=request.school,  # type: ignore[attr-defined]
            grade=grade,
            reason=payload.reason,
        )
    except ServiceError as error:
        raise HttpError(422, error.message) from None
    return Status(204, None)


@router.get("/students/{student_id}/transcript", response=TranscriptOut, url_name="records_transcript")
def transcript(request: HttpRequest, student_id: int) -> TranscriptOut:
    """A student's grades by term with credits earned: the registry, the student, their homeroom
    teacher and their parents; 404 for anyone else."""
    require(request)
    student = selectors.transcript_student(request.user, request.school, student_id)  # type: ignore[arg-type, attr-defined]
    data = selectors.transcript(student)
    for term in data["terms"]:
        for grade in term["grades"]:
            grade.student = student
    return TranscriptOut(
        student_id=student.pk,
        student_number=student.student_number,
        name=student.name,
        credits=data["credits"],
        earned=data["earned"],
        terms=[
            TermOut(
                term=t["label"], credits=t["credits"], earned=t["earned"], grades=[GradeOut.of(g) for g in t["grades"]]
            )
            for t in data["terms"]
        ],
    )


@router.get("/course-codes", response=list[CourseCodeOut], url_name="records_course_codes")
def course_code_list(request: HttpRequest, entry_year: int | None = None, q: str = "") -> list[CourseCodeOut]:
    """The course codes imported from the course-plan platform (needs ``courses.view_all``)."""
    require(request)
    if not may(request.user, request.school, "courses.view_all"):  # type: ignore[arg-type, attr-defined]
        require(request, "courses.view_all")
    codes = selectors.course_codes(request.school, entry_year=entry_year, search=q)  # type: ignore[attr-defined]
    return [CourseCodeOut.model_validate(c, from_attributes=True) for c in codes[:1000]]


# ---------------------------------------------------------------------------------------------
# Pre-check roster (預檢_修課紀錄名冊)
# ---------------------------------------------------------------------------------------------


class RosterProblemsOut(Schema):
    detail: str
    problems: list[str]


@router.get(
    "/rosters/precheck",
    response={200: None, 422: RosterProblemsOut},
    url_name="records_precheck_roster",
)
def precheck_roster(request: HttpRequest, term: str = "") -> Any:
    """The term's pre-check roster as XLSX (needs ``records.view_grades``); ``term`` like 114-1,
    the school's latest term when left out. 422 lists every problem (invalid course codes,
    students without ID or birth date)."""
    require(request, "records.view_grades")
    require(request, "people.view_national_id")  # the roster carries full national IDs
    from django.http import HttpResponse

    from licheng.records import rosters
    from licheng.schools import rocdate
    from licheng.schools.models import Term

    terms = Term.objects.filter(school=request.school).select_related("academic_year")  # type: ignore[attr-defined]
    if term:
        try:
            year, number = rocdate.parse_term(term)
        except rocdate.RocDateError as error:
            raise HttpError(422, str(error)) from None
        terms = terms.filter(academic_year__year=year, number=number)
    found = terms.first()
    if found is None:
        raise HttpError(404, _("The school has no term %(term)s.") % {"term": term})
    year, number = found.academic_year.year, found.number
    roster = rosters.precheck_rows(request.school, found)  # type: ignore[attr-defined]
    if not roster.ok:
        return Status(
            422, RosterProblemsOut(detail=_("The pre-check roster cannot be made yet."), problems=roster.problems)
        )
    content = rosters.precheck_workbook(request.school, found)  # type: ignore[attr-defined]
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="precheck-{year}{number}.xlsx"'
    return response


# ---------------------------------------------------------------------------------------------
# Elective course names
# ---------------------------------------------------------------------------------------------


class ElectiveNameOut(Schema):
    id: int
    term: str
    course_code: str
    name: str
    category: str
    grade_level: int | None


class ElectiveNameIn(Schema):
    term: str
    course_code: str
    name: str
    category: str
    grade_level: int | None = None


def _elective_out(entry: Any) -> ElectiveNameOut:
    return ElectiveNameOut(
        id=entry.pk,
        term=entry.term_label,
        course_code=entry.course_code,
        name=entry.name,
        category=entry.category,
        grade_level=entry.grade_level,
    )


@router.get("/elective-names", response=list[ElectiveNameOut], url_name="records_elective_names")
def elective_name_list(request: HttpRequest, term: str = "", offset: int = 0) -> list[ElectiveNameOut]:
    """The school's elective course names (needs ``courses.view_all``), 200 at a time."""
    from licheng.records.elective_models import ElectiveCourseName
    from licheng.schools import rocdate

    require(request, "courses.view_all")
    rows = ElectiveCourseName.objects.filter(school=request.school)  # type: ignore[attr-defined]
    if term:
        try:
            year, number = rocdate.parse_term(term)
        except rocdate.RocDateError as error:
            raise HttpError(422, str(error)) from None
        rows = rows.filter(academic_year=year, term=number)
    start = max(offset, 0)
    return [
        _elective_out(e) for e in rows.order_by("-academic_year", "-term", "course_code")[start : start + API_PAGE_SIZE]
    ]


@router.post("/elective-names", response={201: ElectiveNameOut}, url_name="records_elective_name_create")
def elective_name_create(request: HttpRequest, payload: ElectiveNameIn) -> Status[ElectiveNameOut]:
    """Enter one elective course name (needs ``records.manage_course_codes``)."""
    from licheng.records import electives

    require(request, electives.PERMISSION)
    data = {k: ("" if v is None else v) for k, v in payload.model_dump().items()}
    form = electives.ElectiveNameForm(data)
    if not form.is_valid():
        raise HttpError(422, "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items()))
    try:
        entry = electives.elective_name_save(
            actor=Actor.from_request(request),
            school=request.school,  # type: ignore[attr-defined]
            values=form.values(),
        )
    except ServiceError as error:
        raise HttpError(422, error.message) from None
    return Status(201, _elective_out(entry))
