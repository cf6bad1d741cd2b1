"""Where each roster sheet's rows come from (the ``source`` of a ``rosters.SheetDef``).

Every source names the model it reads and calls ``licheng.records.submittable.assert_submittable``
before reading it: counselling records (課程諮詢紀錄) can never reach a roster. Each source reads the
database once per build (``Context.cache``); rosters then pick their students' rows.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from licheng.people.models import Student
from licheng.records.submittable import assert_submittable
from licheng.submissions import rosters as R


@dataclasses.dataclass
class PackagedFile:
    name: str
    stored_file: Any


def _once(ctx: R.Context, key: str, load: Callable[[], Any]) -> Any:
    if key not in ctx.cache:
        ctx.cache[key] = load()
    return ctx.cache[key]


def _grouped(rows: Iterable[Any], key: Callable[[Any], Any]) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = {}
    for row in rows:
        out.setdefault(key(row), []).append(row)
    return out


def _visiting_changes(ctx: R.Context) -> dict[int, list[Any]]:
    """Each student's visiting-study (借讀) status changes that overlap the academic year."""
    from licheng.lifecycle.models import ChangeKind, StatusChange

    assert_submittable(StatusChange)

    def load() -> dict[int, list[Any]]:
        # An academic year runs from 1 August to 31 July (ROC year + 1911).
        first = datetime.date(ctx.academic_year.year + 1911, 8, 1)
        last = datetime.date(ctx.academic_year.year + 1912, 7, 31)
        rows = (
            StatusChange.objects.filter(
                school=ctx.school, kind=ChangeKind.VISITING, starts_on__isnull=False, starts_on__lte=last
            )
            .exclude(ends_on__lt=first)
            .select_related("school")
            .order_by("student_id", "starts_on", "pk")
        )
        return _grouped(rows, lambda change: change.student_id)

    return _once(ctx, "visiting", load)  # type: ignore[no-any-return]


def _covers(change: Any, term: Any) -> bool:
    """Whether a visiting-study status change overlaps ``term`` (an open end runs on)."""
    return bool(change.starts_on <= term.ends_on and (change.ends_on is None or change.ends_on >= term.starts_on))


def source_students(ctx: R.Context, students: list[Student], sheet: R.SheetDef) -> Iterator[tuple[Student, Any]]:
    from django.db.models import Max

    from licheng.lifecycle.models import StatusChange

    assert_submittable(Student)
    assert_submittable(StatusChange)

    def load() -> dict[int, Any]:
        return dict(
            StatusChange.objects.filter(school=ctx.school)
            .values("student_id")
            .annotate(last=Max("effective_on"))
            .values_list("student_id", "last")
        )

    changed = _once(ctx, "status_changed_on", load)
    for student in students:
        student.status_changed_on = changed.get(student.pk)  # type: ignore[attr-defined]
        yield student, student


def source_visiting_studies(
    ctx: R.Context, students: list[Student], sheet: R.SheetDef
) -> Iterator[tuple[Student, Any]]:
    """学生借讀資料: visiting studies that overlap the term."""
    term = ctx.term
    changes = _visiting_changes(ctx)
    for student in students:
        for change in changes.get(student.pk, []):
            if _covers(change, term):
                yield student, change


def source_grades(ctx: R.Context, students: list[Student], sheet: R.SheetDef) -> Iterator[tuple[Student, Any]]:
    """Grades as plain rows (dicts): a school has hundreds of thousands of cells of them."""
    from licheng.records.models import Grade

    assert_submittable(Grade)

    def load() -> dict[str, list[dict[str, Any]]]:
        rows = (
            Grade.objects.filter(school=ctx.school, academic_year=ctx.academic_year.year, term=ctx.term.number)
            .order_by("student_id", "course_code", "pk")
            .values()
        )
        return _grouped(rows.iterator(chunk_size=5000), lambda g: g["variant"])

    by_pk = {s.pk: s for s in students}
    evening = sheet.filter.get("evening")
    for grade in _once(ctx, "grades", load).get(sheet.filter["variant"], []):
        student = by_pk.get(grade["student_id"])
        if student is not None and (evening is None or R.is_continuing_education(student) == evening):
            yield student, grade


def source_cadre_roles(ctx: R.Context, students: list[Student], sheet: R.SheetDef) -> Iterator[tuple[Student, Any]]:
    """Verified cadre roles of the term (the cadre roster's 學期 is the term)."""
    from licheng.records.models import CadreRole

    assert_submittable(CadreRole)

    def load() -> list[Any]:
        return list(
            CadreRole.objects.filter(
                school=ctx.school,
                academic_year=ctx.academic_year.year,
                term=ctx.term.number,
                verified_at__isnull=False,
            )
            .order_by("student_id", "starts_on", "pk")
            .values()
        )

    by_pk = {s.pk: s for s in students}
    for role in _once(ctx, "cadre_roles", load):
        student = by_pk.get(role["student_id"])
        if student is not None:
            yield student, role


def _file_name(student: Student, prefix: str, owner_pk: int, position: int, original: str) -> str:
    extension = original.rpartition(".")[2].lower() if "." in original else "bin"
    return f"{student.student_number}_{prefix}{owner_pk}_{position + 1}.{extension}"


def _attach_files(
    obj: Any, student: Student, prefix: str, links: Iterable[Any], files: list[PackagedFile] | None
) -> None:
    """Name the row's files as the package holds them: documents and audio/video apart."""
    from licheng.files.models import FileKind

    documents: list[str] = []
    media: list[str] = []
    for position, link in enumerate(links):
        name = _file_name(student, prefix, obj.pk, position, link.stored_file.original_name)
        (media if link.stored_file.kind == FileKind.MEDIA else documents).append(name)
        if files is not None:
            files.append(PackagedFile(name, link.stored_file))
    obj.document_names = ";".join(documents)
    obj.media_names = ";".join(media)


def source_performances(
    ctx: R.Context, students: list[Student], sheet: R.SheetDef, files: list[PackagedFile] | None = None
) -> Iterator[tuple[Student, Any]]:
    from django.db.models import Prefetch

    from licheng.performances.models import Performance, PerformanceFile

    assert_submittable(Performance)

    def load() -> dict[int, list[Any]]:
        rows = (
            Performance.objects.filter(
                school=ctx.school,
                academic_year=ctx.academic_year,
                selection__isnull=False,
                withdrawn_at__isnull=True,
            )
            .prefetch_related(
                Prefetch("performance_files", queryset=PerformanceFile.objects.select_related("stored_file"))
            )
            .order_by("student_id", "created_at", "pk")
        )
        return _grouped(rows, lambda p: p.kind)

    by_pk = {s.pk: s for s in students}
    for item in _once(ctx, "performances", load).get(sheet.filter.get("kind"), []):
        student = by_pk.get(item.student_id)
        if student is None:
            continue
        _attach_files(item, student, "P", item.performance_files.all(), files)
        yield student, item


@dataclasses.dataclass
class OutcomeCourse:
    """A course as an outcome row names it; ``amount`` is credits, or periods for 進修部."""

    course_code: str
    subject_name: str
    grade_level: Any
    amount: Any
    year: Any = None
    term: Any = None
    school_name: str = ""


@dataclasses.dataclass
class OutcomeRow:
    pk: int
    description: str
    course: OutcomeCourse
    taken: OutcomeCourse
    origin: OutcomeCourse | None
    variant: str
    document_names: str = ""
    media_names: str = ""


# Which grade record makes an outcome a 補修/重修/重讀/轉學轉科 one, most specific first.
_VARIANT_ORDER = ("retake", "makeup_course", "repeat", "transfer")


def _outcome_grades(ctx: R.Context) -> dict[tuple[int, int, int, str], dict[str, dict[str, Any]]]:
    """(student, year, term, course code) → {variant: grade row} of the year's grades that shape an
    outcome row: every non-regular grade, and the regular ones of 進修部 students (their periods)."""
    from django.db.models import Q

    from licheng.records.models import Grade

    def load() -> dict[tuple[int, int, int, str], dict[str, dict[str, Any]]]:
        rows = Grade.objects.filter(school=ctx.school, academic_year=ctx.academic_year.year).filter(
            ~Q(variant="regular") | Q(student__division__code__in=R.CONTINUING_EDUCATION_DIVISION_CODES)
        )
        out: dict[tuple[int, int, int, str], dict[str, dict[str, Any]]] = {}
        for values in rows.values():
            g: dict[str, Any] = dict(values)
            out.setdefault((g["student_id"], g["academic_year"], g["term"], g["course_code"]), {})[g["variant"]] = g
        return out

    return _once(ctx, "outcome_grades", load)  # type: ignore[no-any-return]


def _transfer_schools(ctx: R.Context) -> dict[int, str]:
    from licheng.lifecycle.models import TransferIn

    assert_submittable(TransferIn)

    def load() -> dict[int, str]:
        rows = TransferIn.objects.filter(school=ctx.school).order_by("imported_at", "pk")
        return {t.student_id: t.origin_school_name for t in rows}

    return _once(ctx, "transfer_schools", load)  # type: ignore[no-any-return]


def _outcome_row(ctx: R.Context, student: Student, version: Any) -> OutcomeRow:
    """The variant of an outcome and the courses its row names, from the records the school holds:
    a visiting study (借讀) covering the term, else the grade record of the course that term."""
    outcome = version.outcome
    course, term = outcome.course, outcome.term
    year, number = term.academic_year.year, term.number
    evening = R.is_continuing_education(student)
    grades = _outcome_grades(ctx).get((student.pk, year, number, course.course_code), {})
    regular = grades.get("regular")
    amount = (regular or {}).get("periods") if evening else course.credits
    grade_level = course.school_class.grade if course.school_class else (regular or {}).get("grade_level")
    ours = OutcomeCourse(course.course_code, course.subject_name, grade_level, amount, year, number)
    taken = OutcomeCourse("", "", None, None, year, number)
    for change in _visiting_changes(ctx).get(student.pk, []):
        if _covers(change, term):
            host = dataclasses.replace(ours, school_name=change.other_school_name)
            return OutcomeRow(version.pk, version.description, ours, taken, host, "visiting")
    for variant in _VARIANT_ORDER:
        grade = grades.get(variant)
        if grade is None:
            continue
        origin: OutcomeCourse | None
        if variant == "makeup_course":
            origin = OutcomeCourse("", "", None, None, grade["due_academic_year"], grade["due_term"])
        elif variant == "retake":
            origin = OutcomeCourse(
                grade["original_course_code"],
                grade["original_subject_name"],
                grade["original_grade_level"],
                grade["original_periods"] if evening else grade["original_credits"],
                grade["original_academic_year"],
                grade["original_term"],
            )
        elif variant == "transfer":
            origin = dataclasses.replace(ours, school_name=_transfer_schools(ctx).get(student.pk, ""))
        else:
            origin = None
        return OutcomeRow(version.pk, version.description, ours, taken, origin, variant)
    return OutcomeRow(version.pk, version.description, ours, taken, None, "regular")


def source_course_outcomes(
    ctx: R.Context, students: list[Student], sheet: R.SheetDef, files: list[PackagedFile] | None = None
) -> Iterator[tuple[Student, Any]]:
    from django.db.models import Prefetch

    from licheng.portfolio.models import CourseOutcomeFile, CourseOutcomeSelection, CourseOutcomeVersion

    assert_submittable(CourseOutcomeVersion)

    def load() -> list[Any]:
        return list(
            CourseOutcomeSelection.objects.filter(
                school=ctx.school, academic_year=ctx.academic_year, version__state="passed"
            )
            .select_related("version__outcome__course__school_class", "version__outcome__term__academic_year")
            .prefetch_related(
                Prefetch("version__outcome_files", queryset=CourseOutcomeFile.objects.select_related("stored_file"))
            )
            .order_by("student_id", "selected_at", "pk")
        )

    by_pk = {s.pk: s for s in students}
    variant = sheet.filter["variant"]
    rows: dict[int, OutcomeRow] = ctx.cache.setdefault("outcome_rows", {})
    for selection in _once(ctx, "course_outcomes", load):
        student = by_pk.get(selection.student_id)
        if student is None:
            continue
        row = rows.get(selection.pk)
        if row is None:
            row = rows[selection.pk] = _outcome_row(ctx, student, selection.version)
        if row.variant != variant:
            continue
        _attach_files(row, student, "C", selection.version.outcome_files.all(), files)
        yield student, row


SOURCES: dict[str, Callable[..., Iterable[tuple[Student, Any]]]] = {
    "students": source_students,
    "visiting_studies": source_visiting_studies,
    "grades": source_grades,
    "cadre_roles": source_cadre_roles,
    "performances": source_performances,
    "course_outcomes": source_course_outcomes,
}
FILE_SOURCES = frozenset({"performances", "course_outcomes"})


def identity(student: Student) -> str:
    """身分證號 as written; the ID is decrypted once per student."""
    cached = student.__dict__.get("_roster_identity")
    if cached is None:
        cached = R.national_id(student.national_id if student.national_id_cipher else "")
        student.__dict__["_roster_identity"] = cached
    return cached  # type: ignore[no-any-return]


def sheet_rows(
    sheet: R.SheetDef, ctx: R.Context, students: list[Student], files: list[PackagedFile] | None
) -> Iterator[tuple[Student, list[str]]]:
    """Each row of ``sheet`` as the cells written, 身分證號 first."""
    source = SOURCES[sheet.source]
    rows = source(ctx, students, sheet, files) if sheet.source in FILE_SOURCES else source(ctx, students, sheet)
    for student, obj in rows:
        cells = [identity(student)]
        cells.extend(column.fmt(column.get(obj)) for column in sheet.columns)
        yield student, cells
