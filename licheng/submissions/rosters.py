"""The rosters (名冊) in the central database's layout, as data.

One ``RosterDef`` per roster: its code (名冊別), name, which students it covers, and its sheets; one
``SheetDef`` per sheet: its name, the *source* of its rows (a key of ``SOURCES``) with a filter,
and its columns — header text, a getter on the source object and a formatter. A change of format
(a new column, a renamed header, another code) is a change of this data, not of the builder.

Every source names the model it reads and calls ``licheng.records.submittable.assert_submittable``
before reading it: counselling records (課程諮詢紀錄) can never reach a roster.

Conventions (DOMAIN.md §7): a cover sheet 「封面」 (學校代碼 | 學年度 | 學期 | 名冊別); dates as
7-digit ROC (``1120210``); national IDs with an upper-case first letter; terms ``1111``; term ``0``
on yearly selection rosters. Every data sheet starts with 身分證號 and 出生日期.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from licheng.people.models import EnrolmentStatus, Student
from licheng.records.submittable import assert_submittable
from licheng.schools import rocdate

COVER_SHEET = "封面"
COVER_HEADERS = ("學校代碼", "學年度", "學期", "名冊別")
ID_HEADER = "身分證號"
BIRTH_HEADER = "出生日期"
FILES_HEADER = "檔案名稱"
# Division codes (1–7) whose students' course outcomes go on roster 28 (進修部).
CONTINUING_EDUCATION_DIVISION_CODES = frozenset({2})
# Students still at the school: their data goes to the central database.
SUBMITTED_STATUSES = (EnrolmentStatus.ENROLLED, EnrolmentStatus.VISITING, EnrolmentStatus.SUSPENDED)


# --- formatters: value → the text written in the cell -------------------------------------------


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return str(value).strip()


def roc7(value: Any) -> str:
    """A date as the central database's 7 digits; ISO text (as performances keep dates) too."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    return rocdate.format_roc_compact(value)


def national_id(value: Any) -> str:
    value = text(value)
    return value[:1].upper() + value[1:]


def score_or_none(value: Any) -> str:
    """Make-up exam score: ``-1`` when there was none."""
    return "-1" if value is None else text(value)


def yes_no(value: Any) -> str:
    return "" if value is None else ("1" if value else "0")


def term_code(year: int, term: int) -> str:
    return f"{year}{term}"


# --- definitions ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ColumnDef:
    header: str
    get: Callable[[Any], Any]
    fmt: Callable[[Any], str] = text


@dataclasses.dataclass(frozen=True)
class SheetDef:
    name: str
    source: str
    columns: tuple[ColumnDef, ...]
    # Headers that identify a row of one student, to tell a changed row from an added one.
    key: tuple[str, ...]
    filter: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def headers(self) -> tuple[str, ...]:
        return (ID_HEADER, BIRTH_HEADER, *(c.header for c in self.columns))


@dataclasses.dataclass(frozen=True)
class RosterDef:
    code: str
    name: str
    # The receipt category (收訖明細 JSON key) this roster's rows come back under; "" for none.
    category: str
    yearly: bool
    sheets: tuple[SheetDef, ...]
    grades: tuple[int, ...] = (10, 11, 12)
    continuing_education: bool | None = None  # True: 進修部 only; False: not 進修部; None: all

    def file_name(self, school_code: str, term_text: str) -> str:
        return f"{school_code}_{term_text}_{self.code}_{self.name}.xlsx"


def c(header: str, attr: str, fmt: Callable[[Any], str] = text) -> ColumnDef:
    """A column reading ``attr`` (dotted) from the source object."""

    def get(obj: Any) -> Any:
        for part in attr.split("."):
            obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part, None)
            if obj is None:
                return None
        return obj

    return ColumnDef(header, get, fmt)


def f(header: str, key: str, fmt: Callable[[Any], str] = text) -> ColumnDef:
    """A column reading one of a performance's kind fields."""
    return ColumnDef(header, lambda p: p.fields.get(key), fmt)


# Student data (學生資料名冊). Codes the school keeps elsewhere are written blank.
STUDENT_COLUMNS = (
    c("學號", "student_number"),
    c("姓名", "name"),
    c("性別", "sex"),
    ColumnDef("學群代碼", lambda s: ""),
    ColumnDef("科別代碼", lambda s: ""),
    c("部別代碼", "division.code"),
    ColumnDef("班別", lambda s: "1"),
    c("年級", "school_class.grade"),
    c("班級名稱", "school_class.name"),
    c("座號", "seat"),
    ColumnDef("特殊身分別", lambda s: ""),
    ColumnDef("原住民身分", lambda s: ""),
    ColumnDef("實驗班別", lambda s: ""),
    ColumnDef("入學管道", lambda s: ""),
    ColumnDef("學籍狀態", lambda s: {"enrolled": "1", "suspended": "2", "visiting": "3"}.get(s.status, "9")),
    ColumnDef("異動日期", lambda s: ""),
)

_GRADE_BASE = (
    c("課程代碼", "course_code"),
    c("科目名稱", "subject_name"),
    c("開課年級", "grade_level"),
    c("學分數", "credits"),
    c("學期成績", "score"),
    c("是否及格", "passed", yes_no),
    c("補考成績", "makeup_score", score_or_none),
    c("補考是否及格", "makeup_passed", yes_no),
    c("是否採計學分", "credit_counted"),
    c("質性文字描述", "qualitative_description"),
)
GRADE_SHEETS = (
    SheetDef("學期成績", "grades", _GRADE_BASE, key=("課程代碼",), filter={"variant": "regular"}),
    SheetDef(
        "補修成績",
        "grades",
        (
            *_GRADE_BASE,
            ColumnDef(
                "應修學年度學期", lambda g: term_code(g["due_academic_year"], g["due_term"]) if g["due_term"] else ""
            ),
            c("補修方式", "method"),
        ),
        key=("課程代碼",),
        filter={"variant": "makeup_course"},
    ),
    SheetDef(
        "重修成績",
        "grades",
        (
            *_GRADE_BASE,
            ColumnDef(
                "原修課學年度學期",
                lambda g: term_code(g["original_academic_year"], g["original_term"]) if g["original_term"] else "",
            ),
            c("原課程代碼", "original_course_code"),
            c("原科目名稱", "original_subject_name"),
            c("原開課年級", "original_grade_level"),
            c("原學分數", "original_credits"),
            c("重修方式", "method"),
            c("重修成績", "retake_score"),
        ),
        key=("課程代碼",),
        filter={"variant": "retake"},
    ),
    SheetDef(
        "重讀成績",
        "grades",
        (*_GRADE_BASE, c("重讀註記", "is_repeat", yes_no)),
        key=("課程代碼",),
        filter={"variant": "repeat"},
    ),
    SheetDef(
        "轉學轉科成績",
        "grades",
        (
            *_GRADE_BASE,
            ColumnDef(
                "對應學年度學期",
                lambda g: term_code(g["mapped_academic_year"], g["mapped_term"]) if g["mapped_term"] else "",
            ),
            c("對應年級", "mapped_grade_level"),
            c("學分抵免成績", "transfer_score"),
        ),
        key=("課程代碼",),
        filter={"variant": "transfer"},
    ),
)

CADRE_SHEETS = (
    SheetDef(
        "幹部經歷",
        "cadre_roles",
        (
            ColumnDef("學年度學期", lambda r: term_code(r["academic_year"], r["term"])),
            c("單位名稱", "unit"),
            c("開始日期", "starts_on", roc7),
            c("結束日期", "ends_on", roc7),
            c("擔任職務", "post"),
            c("幹部等級", "level"),
        ),
        key=("學年度學期", "單位名稱", "擔任職務"),
    ),
)

_ITEM_TAIL = (c("內容簡述", "description"), c("外部連結", "external_link"), c(FILES_HEADER, "file_names"))
# One sheet per kind of performance (DOMAIN.md §5), in kind order.
PERFORMANCE_SHEETS = (
    SheetDef(
        "幹部經歷暨事蹟",
        "performances",
        (
            f("單位名稱", "unit"),
            f("開始日期", "start", roc7),
            f("結束日期", "end", roc7),
            f("擔任職務", "post"),
            f("幹部等級", "level"),
            *_ITEM_TAIL,
        ),
        key=("單位名稱", "擔任職務", "開始日期"),
        filter={"kind": 1},
    ),
    SheetDef(
        "競賽參與",
        "performances",
        (
            f("競賽名稱", "name"),
            f("項目", "event"),
            f("競賽等級", "level"),
            f("獎項", "award"),
            f("結果公布日期", "result_date", roc7),
            f("參與類型", "participation"),
            *_ITEM_TAIL,
        ),
        key=("競賽名稱", "項目"),
        filter={"kind": 2},
    ),
    SheetDef(
        "檢定證照",
        "performances",
        (
            f("證照代碼", "certificate_code"),
            f("證照類別", "certificate_kind"),
            f("分數", "score"),
            f("分項結果", "sub_scores"),
            f("取得證照日期", "date", roc7),
            f("證照字號", "certificate_number"),
            f("檢定組別", "group"),
            *_ITEM_TAIL,
        ),
        key=("證照代碼", "取得證照日期"),
        filter={"kind": 3},
    ),
    SheetDef(
        "服務學習",
        "performances",
        (
            f("服務名稱", "name"),
            f("服務單位", "organisation"),
            f("開始日期", "start", roc7),
            f("結束日期", "end", roc7),
            f("服務時數", "hours"),
            *_ITEM_TAIL,
        ),
        key=("服務名稱", "開始日期"),
        filter={"kind": 4},
    ),
    SheetDef(
        "彈性學習時間",
        "performances",
        (
            f("彈性學習時間類別", "flexible_kind"),
            f("名稱", "title"),
            f("開設單位", "unit"),
            f("學年度", "year"),
            f("學期", "term"),
            f("每週節數", "periods_per_week"),
            f("週數", "weeks"),
            *_ITEM_TAIL,
        ),
        key=("名稱", "學年度", "學期"),
        filter={"kind": 5},
    ),
    SheetDef(
        "團體活動時間",
        "performances",
        (
            f("團體活動時間類別", "activity_kind"),
            f("單位名稱", "unit"),
            f("名稱", "title"),
            f("學年度", "year"),
            f("學期", "term"),
            f("節數", "periods"),
            *_ITEM_TAIL,
        ),
        key=("名稱", "學年度", "學期"),
        filter={"kind": 6},
    ),
    SheetDef(
        "職場學習",
        "performances",
        (
            f("職場學習類別", "workplace_kind"),
            f("單位名稱", "organisation"),
            f("名稱", "title"),
            f("開始日期", "start", roc7),
            f("結束日期", "end", roc7),
            f("時數", "hours"),
            *_ITEM_TAIL,
        ),
        key=("名稱", "開始日期"),
        filter={"kind": 7},
    ),
    SheetDef(
        "作品成果",
        "performances",
        (f("作品名稱", "name"), f("日期", "date", roc7), *_ITEM_TAIL),
        key=("作品名稱", "日期"),
        filter={"kind": 8},
    ),
    SheetDef(
        "大學及技專校院先修課程",
        "performances",
        (
            f("計畫名稱", "programme"),
            f("開設單位", "provider"),
            f("課程名稱", "course_name"),
            f("開始日期", "start", roc7),
            f("結束日期", "end", roc7),
            f("學分數", "credits"),
            f("總時數", "total_hours"),
            *_ITEM_TAIL,
        ),
        key=("課程名稱", "開始日期"),
        filter={"kind": 9},
    ),
    SheetDef(
        "其他多元表現",
        "performances",
        (
            f("名稱", "name"),
            f("主辦單位", "organiser"),
            f("開始日期", "start", roc7),
            f("結束日期", "end", roc7),
            f("時數", "hours"),
            *_ITEM_TAIL,
        ),
        key=("名稱", "開始日期"),
        filter={"kind": 10},
    ),
)

OUTCOME_SHEETS = (
    SheetDef(
        "課程學習成果",
        "course_outcomes",
        (
            ColumnDef(
                "實際修課學年度學期", lambda v: term_code(v.outcome.term.academic_year.year, v.outcome.term.number)
            ),
            c("課程代碼", "outcome.course.course_code"),
            c("科目名稱", "outcome.course.subject_name"),
            c("開課年級", "outcome.course.school_class.grade"),
            c("學分數", "outcome.course.credits"),
            c("成果簡述", "description"),
            c(FILES_HEADER, "file_names"),
        ),
        key=("實際修課學年度學期", "課程代碼", "成果簡述"),
    ),
)

CATEGORY_STUDENT = ""
CATEGORY_GRADES = "修課紀錄"
CATEGORY_OUTCOMES = "課程學習成果"
CATEGORY_PERFORMANCES = "多元表現"
CATEGORY_CADRE = "幹部經歷"
RECEIPT_CATEGORIES = (CATEGORY_GRADES, CATEGORY_OUTCOMES, CATEGORY_PERFORMANCES, CATEGORY_CADRE)


def _yearly(code: str, name: str, category: str, sheets: tuple[SheetDef, ...], **kw: Any) -> RosterDef:
    return RosterDef(code=code, name=name, category=category, yearly=True, sheets=sheets, **kw)


_NOT_12 = (10, 11)
_ONLY_12 = (12,)

ROSTERS: dict[str, RosterDef] = {
    r.code: r
    for r in (
        RosterDef(
            "1", "學生資料名冊", CATEGORY_STUDENT, False, (SheetDef("學生資料", "students", STUDENT_COLUMNS, ()),)
        ),
        RosterDef("2", "修課紀錄名冊", CATEGORY_GRADES, False, GRADE_SHEETS),
        _yearly("24", "幹部經歷名冊", CATEGORY_CADRE, CADRE_SHEETS, grades=_NOT_12),
        _yearly("25", "多元表現名冊", CATEGORY_PERFORMANCES, PERFORMANCE_SHEETS, grades=_NOT_12),
        _yearly(
            "26", "課程學習成果名冊", CATEGORY_OUTCOMES, OUTCOME_SHEETS, grades=_NOT_12, continuing_education=False
        ),
        _yearly(
            "28", "進修部課程學習成果名冊", CATEGORY_OUTCOMES, OUTCOME_SHEETS, grades=_NOT_12, continuing_education=True
        ),
        # Grade 12 goes in two batches: term 1 (34–38) and term 2 (74–78).
        _yearly("34", "高三第一梯次幹部經歷名冊", CATEGORY_CADRE, CADRE_SHEETS, grades=_ONLY_12),
        _yearly("35", "高三第一梯次多元表現名冊", CATEGORY_PERFORMANCES, PERFORMANCE_SHEETS, grades=_ONLY_12),
        _yearly(
            "36",
            "高三第一梯次課程學習成果名冊",
            CATEGORY_OUTCOMES,
            OUTCOME_SHEETS,
            grades=_ONLY_12,
            continuing_education=False,
        ),
        _yearly(
            "38",
            "高三第一梯次進修部課程學習成果名冊",
            CATEGORY_OUTCOMES,
            OUTCOME_SHEETS,
            grades=_ONLY_12,
            continuing_education=True,
        ),
        _yearly("74", "高三第二梯次幹部經歷名冊", CATEGORY_CADRE, CADRE_SHEETS, grades=_ONLY_12),
        _yearly("75", "高三第二梯次多元表現名冊", CATEGORY_PERFORMANCES, PERFORMANCE_SHEETS, grades=_ONLY_12),
        _yearly(
            "76",
            "高三第二梯次課程學習成果名冊",
            CATEGORY_OUTCOMES,
            OUTCOME_SHEETS,
            grades=_ONLY_12,
            continuing_education=False,
        ),
        _yearly(
            "78",
            "高三第二梯次進修部課程學習成果名冊",
            CATEGORY_OUTCOMES,
            OUTCOME_SHEETS,
            grades=_ONLY_12,
            continuing_education=True,
        ),
    )
}

# Which rosters a submission in term 1 / term 2 holds.
TERM_ROSTERS: dict[int, tuple[str, ...]] = {
    1: ("1", "2", "24", "25", "26", "28", "34", "35", "36", "38"),
    2: ("1", "2", "24", "25", "26", "28", "74", "75", "76", "78"),
}


def rosters_for_term(term_number: int) -> list[RosterDef]:
    return [ROSTERS[code] for code in TERM_ROSTERS[term_number]]


# --- sources: where each sheet's rows come from ---------------------------------------------------


@dataclasses.dataclass
class Context:
    """What a build reads: the school's term and its students (with class and division)."""

    school: Any
    term: Any
    students: dict[int, Student]
    # Each source reads the database once per build; rosters then pick their students' rows.
    cache: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def academic_year(self) -> Any:
        return self.term.academic_year


def students_for(roster: RosterDef, ctx: Context) -> list[Student]:
    chosen = []
    for student in ctx.students.values():
        grade = student.school_class.grade if student.school_class else None
        if grade not in roster.grades:
            continue
        if roster.continuing_education is not None:
            evening = student.division.code in CONTINUING_EDUCATION_DIVISION_CODES
            if evening != roster.continuing_education:
                continue
        chosen.append(student)
    return chosen


@dataclasses.dataclass
class PackagedFile:
    name: str
    stored_file: Any


def _file_name(student: Student, prefix: str, owner_pk: int, position: int, original: str) -> str:
    extension = original.rpartition(".")[2].lower() if "." in original else "bin"
    return f"{student.student_number}_{prefix}{owner_pk}_{position + 1}.{extension}"


def source_students(ctx: Context, students: list[Student], sheet: SheetDef) -> Iterator[tuple[Student, Any]]:
    assert_submittable(Student)
    for student in students:
        yield student, student


def _once(ctx: Context, key: str, load: Callable[[], Any]) -> Any:
    if key not in ctx.cache:
        ctx.cache[key] = load()
    return ctx.cache[key]


def _grouped(rows: Iterable[Any], key: Callable[[Any], Any]) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = {}
    for row in rows:
        out.setdefault(key(row), []).append(row)
    return out


def source_grades(ctx: Context, students: list[Student], sheet: SheetDef) -> Iterator[tuple[Student, Any]]:
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
    for grade in _once(ctx, "grades", load).get(sheet.filter.get("variant", "regular"), []):
        student = by_pk.get(grade["student_id"])
        if student is not None:
            yield student, grade


def source_cadre_roles(ctx: Context, students: list[Student], sheet: SheetDef) -> Iterator[tuple[Student, Any]]:
    from licheng.records.models import CadreRole

    assert_submittable(CadreRole)

    def load() -> list[Any]:
        return list(
            CadreRole.objects.filter(school=ctx.school, academic_year=ctx.academic_year.year, verified_at__isnull=False)
            .order_by("student_id", "term", "starts_on", "pk")
            .values()
        )

    by_pk = {s.pk: s for s in students}
    for role in _once(ctx, "cadre_roles", load):
        student = by_pk.get(role["student_id"])
        if student is not None:
            yield student, role


def _file_names(
    student: Student, prefix: str, owner_pk: int, links: Iterable[Any], files: list[PackagedFile] | None
) -> str:
    names = []
    for position, link in enumerate(links):
        name = _file_name(student, prefix, owner_pk, position, link.stored_file.original_name)
        names.append(name)
        if files is not None:
            files.append(PackagedFile(name, link.stored_file))
    return ";".join(names)


def source_performances(
    ctx: Context, students: list[Student], sheet: SheetDef, files: list[PackagedFile] | None = None
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
        item.file_names = _file_names(student, "P", item.pk, item.performance_files.all(), files)
        yield student, item


def source_course_outcomes(
    ctx: Context, students: list[Student], sheet: SheetDef, files: list[PackagedFile] | None = None
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
    for selection in _once(ctx, "course_outcomes", load):
        student = by_pk.get(selection.student_id)
        if student is None:
            continue
        version = selection.version
        version.file_names = _file_names(student, "C", version.pk, version.outcome_files.all(), files)
        yield student, version


SOURCES: dict[str, Callable[..., Iterable[tuple[Student, Any]]]] = {
    "students": source_students,
    "grades": source_grades,
    "cadre_roles": source_cadre_roles,
    "performances": source_performances,
    "course_outcomes": source_course_outcomes,
}
FILE_SOURCES = frozenset({"performances", "course_outcomes"})


def identity(student: Student) -> tuple[str, str]:
    """身分證號 and 出生日期 as written; the ID is decrypted once per student."""
    cached = student.__dict__.get("_roster_identity")
    if cached is None:
        nid = student.national_id if student.national_id_cipher else ""
        cached = (national_id(nid), roc7(student.birth_date))
        student.__dict__["_roster_identity"] = cached
    return cached  # type: ignore[no-any-return]


def sheet_rows(
    sheet: SheetDef, ctx: Context, students: list[Student], files: list[PackagedFile] | None
) -> Iterator[tuple[Student, list[str]]]:
    """Each row of ``sheet`` as the cells written, identity columns first."""
    source = SOURCES[sheet.source]
    rows = source(ctx, students, sheet, files) if sheet.source in FILE_SOURCES else source(ctx, students, sheet)
    for student, obj in rows:
        cells = list(identity(student))
        cells.extend(column.fmt(column.get(obj)) for column in sheet.columns)
        yield student, cells


def cover_row(school_code: str, ctx: Context, roster: RosterDef) -> list[str]:
    return [school_code, str(ctx.academic_year.year), "0" if roster.yearly else str(ctx.term.number), roster.code]


def term_text(ctx: Context, roster: RosterDef) -> str:
    return f"{ctx.academic_year.year}0" if roster.yearly else term_code(ctx.academic_year.year, ctx.term.number)
