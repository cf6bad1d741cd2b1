"""The rosters (名冊) in the central database's layout, as data: the one table of sheet and column names.

One ``RosterDef`` per roster: its code (名冊別), name, which students it covers, and its sheets; one
``SheetDef`` per sheet: its name as the database names it (FORMATS.md §1), the name the receipt uses for
it when that differs, the *source* of its rows (``roster_sources.SOURCES``) with a filter, and its
columns — the database's header, a getter and a formatter, whether the receipt sends the field back
(FORMATS.md §2.4) and the other names a receipt may give it. Roster writing, receipt reading and the
receipt comparison all read these definitions, so a sheet or column is named here and nowhere else.

Conventions (FORMATS.md §1): a cover sheet 「封面」 (學校代碼 | 學年度 | 學期 | 名冊別; the last three as
numbers); dates as 7-digit ROC (``0800116``); national IDs with an upper-case first letter; every data
row starts with 身分證號. 學期 is ``0`` on the yearly rosters 25/26/28 and their batch versions, the term
on the student, grade and cadre rosters.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
from collections.abc import Callable
from typing import Any

from licheng.people.models import EnrolmentStatus
from licheng.schools import rocdate

COVER_SHEET = "封面"
COVER_HEADERS = ("學校代碼", "學年度", "學期", "名冊別")
ID_HEADER = "身分證號"
BIRTH_HEADER = "出生日期"
# Division codes (1–7) whose students go on the continuing-education (進修部) sheets and roster 28.
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
    # Whether the receipt sends this field back (FORMATS.md §2.4); file and link columns it does not.
    in_receipt: bool = True
    # Other names a receipt may give the field (the receipt's 競賽等級 for the extract's 競賽等級代碼).
    aliases: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class SheetDef:
    name: str
    source: str
    columns: tuple[ColumnDef, ...]
    # Headers that identify a row of one student, to tell a changed row from an added one.
    key: tuple[str, ...]
    filter: dict[str, Any] = dataclasses.field(default_factory=dict)
    # The worksheet's name in the receipt when it differs (校內幹部經歷's 幹部經歷).
    receipt_name: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        return (ID_HEADER, *(c.header for c in self.columns))

    @property
    def receipt_fields(self) -> tuple[str, ...]:
        """The fields compared with a receipt, by the names written here."""
        return tuple(c.header for c in self.columns if c.in_receipt)


@dataclasses.dataclass(frozen=True)
class RosterDef:
    code: str
    name: str
    # The receipt category (收訖明細) this roster's rows come back under; "" for none.
    category: str
    yearly: bool
    sheets: tuple[SheetDef, ...]
    grades: tuple[int, ...] = (10, 11, 12)
    continuing_education: bool | None = None  # True: 進修部 only; False: not 進修部; None: all

    def file_name(self, school_code: str, term_text: str) -> str:
        return f"{school_code}_{term_text}_{self.code}_{self.name}.xlsx"


def _path(obj: Any, attr: str) -> Any:
    for part in attr.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def c(header: str, attr: str, fmt: Callable[[Any], str] = text, **kw: Any) -> ColumnDef:
    """A column reading ``attr`` (dotted) from the source object."""
    return ColumnDef(header, lambda obj: _path(obj, attr), fmt, **kw)


def f(header: str, key: str, fmt: Callable[[Any], str] = text, **kw: Any) -> ColumnDef:
    """A column reading one of a performance's kind fields."""
    return ColumnDef(header, lambda p: p.fields.get(key), fmt, **kw)


def files(header: str, attr: str) -> ColumnDef:
    """The names of the files sent with the row (the files travel with the submission)."""
    return c(header, attr, in_receipt=False)


# 1 學生資料名冊 --------------------------------------------------------------------------------------

_STATUS_CODES = {EnrolmentStatus.ENROLLED: "1", EnrolmentStatus.SUSPENDED: "2", EnrolmentStatus.VISITING: "3"}

STUDENT_SHEETS = (
    SheetDef(
        "學生資料",
        "students",
        (
            c("性別代碼", "sex"),
            c("出生日期", "birth_date", roc7),
            c("群別代碼", "group_code"),
            c("科班學程別代碼", "programme_code"),
            c("部別代碼", "division.code"),
            c("班別", "class_type"),
            c("年級", "school_class.grade"),
            c("班級名稱", "school_class.name"),
            c("座號", "seat"),
            c("特殊身分別", "special_statuses"),
            c("原住民族別", "indigenous_ethnicity"),
            c("原住民身分別", "indigenous_status"),
            c("族語認證報考方言", "indigenous_language_dialect"),
            c("報考年度", "indigenous_language_exam_year"),
            c("族語認證有效日期", "indigenous_language_valid_until", roc7),
            c("實驗班名稱", "experimental_class"),
            c("入學方式", "admission_route"),
            ColumnDef("學籍狀態", lambda s: _STATUS_CODES.get(s.status, "9")),
            c("學籍異動日期", "status_changed_on", roc7),
        ),
        key=(),
    ),
    SheetDef(
        "學生借讀資料",
        "visiting_studies",
        (
            c("所屬學校代碼", "school.code"),
            c("借讀學校代碼", "other_school_code"),
            c("群別", "visiting_group_code"),
            c("借讀科班學程別", "visiting_programme_code"),
            c("借讀代碼", "visiting_code"),
            c("申請開始日期", "starts_on", roc7),
            c("申請結束日期", "ends_on", roc7),
        ),
        key=("借讀學校代碼", "申請開始日期"),
    ),
)

# 2 學生成績名冊 (修課紀錄) ------------------------------------------------------------------------------

_CODE_NAME = (c("課程代碼", "course_code"), c("科目名稱", "subject_name"))
_MAKEUP_EXAM = (c("補考成績", "makeup_score", score_or_none), c("補考及格", "makeup_passed", yes_no))
_COUNTED = c("是否採計學分", "credit_counted")
_QUALITATIVE = c("質性文字描述", "qualitative_description")
_GRADE_KEY = ("課程代碼",)


def _grades(
    name: str, variant: str, evening: bool | None, *columns: ColumnDef, key: tuple[str, ...] = _GRADE_KEY
) -> SheetDef:
    return SheetDef(name, "grades", columns, key=key, filter={"variant": variant, "evening": evening})


GRADE_SHEETS = (
    _grades(
        "學期成績",
        "regular",
        False,
        *_CODE_NAME,
        c("開課年級", "grade_level"),
        c("修課學分", "credits"),
        c("學期學業成績", "score"),
        c("成績及格", "passed", yes_no),
        *_MAKEUP_EXAM,
        _COUNTED,
        _QUALITATIVE,
    ),
    _grades(
        "補修成績",
        "makeup_course",
        None,
        *_CODE_NAME,
        c("開課年級", "grade_level"),
        c("修課學分", "credits"),
        c("應修課學年度", "due_academic_year"),
        c("應修課學期", "due_term"),
        c("補修成績", "score"),
        c("補修及格", "passed", yes_no),
        *_MAKEUP_EXAM,
        _COUNTED,
        _QUALITATIVE,
    ),
    _grades(
        "轉學轉科成績",
        "transfer",
        False,
        *_CODE_NAME,
        c("修課學分", "credits"),
        c("對應年級", "mapped_grade_level"),
        c("對應學年度", "mapped_academic_year"),
        c("身分別", "transfer_identity"),
        _COUNTED,
        c("抵免後成績", "transfer_score"),
        c("對應學期", "mapped_term"),
        c("成績及格", "passed", yes_no),
        _QUALITATIVE,
    ),
    _grades(
        "重修成績",
        "retake",
        None,
        c("原修課學年度", "original_academic_year"),
        c("原修課學期", "original_term"),
        c("原修課課程代碼", "original_course_code"),
        c("原修課科目名稱", "original_subject_name"),
        c("原修課開課年級", "original_grade_level"),
        c("原修課修課學分", "original_credits"),
        c("重修成績", "retake_score"),
        c("重修及格", "retake_passed", yes_no),
        _QUALITATIVE,
        key=("原修課課程代碼", "原修課學年度", "原修課學期"),
    ),
    _grades(
        "重讀成績",
        "repeat",
        None,
        *_CODE_NAME,
        c("開課年級", "grade_level"),
        c("修課學分", "credits"),
        c("重讀成績", "score"),
        c("成績及格", "passed", yes_no),
        *_MAKEUP_EXAM,
        _COUNTED,
        c("重讀註記", "is_repeat", yes_no),
        _QUALITATIVE,
    ),
    _grades(
        "進修部學期成績",
        "regular",
        True,
        *_CODE_NAME,
        c("開課年級", "grade_level"),
        c("修課節數", "periods"),
        c("學期學業成績", "score"),
        c("成績及格", "passed", yes_no),
        c("學年學業成績", "year_score"),
        c("學年及格", "year_passed", yes_no),
        c("是否採計學時", "credit_counted"),
        _QUALITATIVE,
    ),
    _grades(
        "進修部補考成績",
        "makeup_exam",
        None,
        *_CODE_NAME,
        c("開課年級", "grade_level"),
        c("第一學期開設修課節數", "term1_periods"),
        c("第二學期開設修課節數", "term2_periods"),
        c("第一次補考成績", "makeup_score", score_or_none),
        c("第一次及格", "makeup_passed", yes_no),
        c("第二次補考成績", "second_makeup_score", score_or_none),
        c("第二次及格", "second_makeup_passed", yes_no),
    ),
    _grades(
        "進修部轉學轉科成績",
        "transfer",
        True,
        *_CODE_NAME,
        c("對應年級", "mapped_grade_level"),
        c("對應學年度", "mapped_academic_year"),
        c("對應學期", "mapped_term"),
        c("身分別", "transfer_identity"),
        c("抵免後成績", "transfer_score"),
        c("成績及格", "passed", yes_no),
        c("是否採計學時", "credit_counted"),
        c("修課節數", "periods"),
        _QUALITATIVE,
    ),
)

# 24 校內幹部經歷名冊 -------------------------------------------------------------------------------------

CADRE_SHEETS = (
    SheetDef(
        "幹部經歷紀錄",
        "cadre_roles",
        (
            c("單位名稱", "unit"),
            c("開始日期", "starts_on", roc7),
            c("結束日期", "ends_on", roc7),
            c("擔任職務", "post"),
            c("幹部等級", "level"),
        ),
        key=("單位名稱", "擔任職務", "開始日期"),
        receipt_name="幹部經歷",
    ),
)

# 25 多元學習表現名冊: one sheet per kind of performance (DOMAIN.md §5), in kind order ---------------------

_ITEM_TAIL = (
    c("內容簡述", "description"),
    files("證明文件連結", "document_names"),
    files("影音檔案連結", "media_names"),
    c("外部影音連結", "external_link", aliases=("影音檔案外部連結",)),
)


def _performances(name: str, kind: int, *columns: ColumnDef, key: tuple[str, ...]) -> SheetDef:
    return SheetDef(name, "performances", (*columns, *_ITEM_TAIL), key=key, filter={"kind": kind})


PERFORMANCE_SHEETS = (
    _performances(
        "幹部經歷暨事蹟紀錄",
        1,
        f("單位名稱", "unit"),
        f("開始日期", "start", roc7),
        f("結束日期", "end", roc7),
        f("擔任職務", "post"),
        f("幹部等級", "level"),
        key=("單位名稱", "擔任職務", "開始日期"),
    ),
    _performances(
        "競賽參與紀錄",
        2,
        f("競賽名稱", "name"),
        f("項目", "event"),
        f("競賽等級代碼", "level", aliases=("競賽等級",)),
        f("獎項", "award"),
        f("結果公布日期", "result_date", roc7),
        f("團體參與代碼", "participation", aliases=("團體參與",)),
        key=("競賽名稱", "項目"),
    ),
    _performances(
        "檢定證照紀錄",
        3,
        f("證照代碼", "certificate_code"),
        f("檢定證照類別", "certificate_kind"),
        f("國內國外", "domestic_or_foreign"),
        f("證照類別", "certificate_category"),
        f("發照單位", "issuer"),
        f("證照名稱", "certificate_name"),
        f("級數分數", "level_score"),
        f("分數", "score"),
        f("分項結果", "sub_scores"),
        f("取得證照日期", "date", roc7),
        f("證照字號", "certificate_number"),
        f("檢定組別", "group"),
        key=("證照代碼", "取得證照日期"),
    ),
    _performances(
        "服務學習紀錄",
        4,
        f("服務名稱", "name"),
        f("服務單位", "organisation"),
        f("開始日期", "start", roc7),
        f("結束日期", "end", roc7),
        f("時數", "hours"),
        key=("服務名稱", "開始日期"),
    ),
    _performances(
        "彈性學習時間紀錄",
        5,
        f("彈性學習時間類別(種類)", "flexible_kind"),
        f("內容(開設名稱)", "title"),
        f("開設單位", "unit"),
        f("開設學年度", "year"),
        f("開設學期", "term"),
        f("每週節數", "periods_per_week"),
        f("開設週數", "weeks"),
        key=("內容(開設名稱)", "開設學年度", "開設學期"),
    ),
    _performances(
        "團體活動時間紀錄",
        6,
        f("團體活動時間類別", "activity_kind"),
        f("辦理單位", "unit"),
        f("團體活動內容名稱", "title"),
        f("活動學年度", "year"),
        f("活動學期", "term"),
        f("節數", "periods"),
        key=("團體活動內容名稱", "活動學年度", "活動學期"),
    ),
    _performances(
        "職場學習紀錄",
        7,
        f("職場學習類別", "workplace_kind"),
        f("職場學習單位", "organisation"),
        f("職場學習職稱", "title"),
        f("開始日期", "start", roc7),
        f("結束日期", "end", roc7),
        f("時數", "hours"),
        key=("職場學習單位", "開始日期"),
    ),
    _performances("作品成果紀錄", 8, f("名稱", "name"), f("日期", "date", roc7), key=("名稱", "日期")),
    _performances(
        "大學及技專校院先修課程紀錄",
        9,
        f("計畫專案", "programme"),
        f("開設單位", "provider"),
        f("課程名稱", "course_name"),
        f("開始日期", "start", roc7),
        f("結束日期", "end", roc7),
        f("學分數", "credits"),
        f("總時數", "total_hours"),
        key=("課程名稱", "開始日期"),
    ),
    _performances(
        "其他多元表現紀錄",
        10,
        f("名稱", "name"),
        f("主辦單位", "organiser"),
        f("開始日期", "start", roc7),
        f("結束日期", "end", roc7),
        f("時數", "hours"),
        key=("名稱", "開始日期"),
    ),
)

# 26 / 28 學生課程學習成果名冊: one sheet per variant. The source sets each row's ``course``, ``taken``
# (the term it was taken), ``origin`` (補修: the term due; 重修/轉學轉科/借讀: the original or host course)
# and ``amount`` (credits, or periods on the 進修部 sheets).

_OUTCOME_FILES = (files("課程學習成果檔案", "document_names"), files("課程學習成果影音連結", "media_names"))
_TAKEN = (c("實際修課學年度", "taken.year"), c("實際修課學期", "taken.term"))
_DESCRIPTION = c("成果簡述", "description")
_OUTCOME_KEY = ("課程代碼", "實際修課學年度", "實際修課學期", "成果簡述")
_ORIGIN = (
    c("原修課學年度", "origin.year"),
    c("原修課學期", "origin.term"),
    c("原修課課程代碼", "origin.course_code"),
    c("原修課科目名稱", "origin.subject_name"),
    c("原修課開課年級", "origin.grade_level"),
    c("原修課修課學分", "origin.amount"),
)
_ORIGIN_KEY = ("原修課課程代碼", "原修課學年度", "原修課學期", "成果簡述")


def _outcomes(name: str, variant: str, *columns: ColumnDef, key: tuple[str, ...] = _OUTCOME_KEY) -> SheetDef:
    return SheetDef(
        name, "course_outcomes", (*columns, _DESCRIPTION, *_OUTCOME_FILES), key=key, filter={"variant": variant}
    )


def _course(amount_header: str) -> tuple[ColumnDef, ...]:
    return (
        c("開課年級", "course.grade_level"),
        c("課程代碼", "course.course_code"),
        c("科目名稱", "course.subject_name"),
        c(amount_header, "course.amount"),
    )


def _transfer_outcomes(name: str) -> SheetDef:
    return _outcomes(name, "transfer", c("原修課學校名稱", "origin.school_name"), *_ORIGIN, key=_ORIGIN_KEY)


def _visiting_outcomes(name: str) -> SheetDef:
    return _outcomes(
        name,
        "visiting",
        c("借讀學校名稱", "origin.school_name"),
        c("借讀修課學年度", "origin.year"),
        c("借讀修課學期", "origin.term"),
        c("借讀校課程代碼", "origin.course_code"),
        c("借讀校科目名稱", "origin.subject_name"),
        c("借讀校開課年級", "origin.grade_level"),
        c("借讀校修課學分", "origin.amount"),
        key=("借讀校課程代碼", "借讀修課學年度", "借讀修課學期", "成果簡述"),
    )


OUTCOME_SHEETS = (
    _outcomes("學期課程學習成果", "regular", *_course("修課學分"), *_TAKEN),
    _outcomes(
        "補修課程學習成果",
        "makeup_course",
        c("應修課學年度", "origin.year"),
        c("應修課學期", "origin.term"),
        c("課程代碼", "course.course_code"),
        c("科目名稱", "course.subject_name"),
        c("開課年級", "course.grade_level"),
        c("修課學分", "course.amount"),
        *_TAKEN,
    ),
    _outcomes("重修課程學習成果", "retake", *_ORIGIN, *_TAKEN, key=_ORIGIN_KEY),
    _outcomes("重讀課程學習成果", "repeat", *_course("修課學分"), *_TAKEN),
    _transfer_outcomes("轉學轉科課程學習成果"),
    _visiting_outcomes("借讀課程學習成果"),
)
# 進修部 (roster 28): three sheets, counting 修課節數 where the others count 修課學分.
CONTINUING_OUTCOME_SHEETS = (
    _outcomes("進修部學期課程學習成果", "regular", *_course("修課節數"), *_TAKEN),
    _transfer_outcomes("進修部轉學"),
    _visiting_outcomes("進修部借讀課程學習成果"),
)

# --- receipt categories (the word in the receipt's file name, FORMATS.md §2.2) ---------------------

CATEGORY_STUDENT = ""
CATEGORY_GRADES = "修課紀錄"
CATEGORY_OUTCOMES = "課程學習成果"
CATEGORY_PERFORMANCES = "多元表現"
CATEGORY_CADRE = "校內幹部經歷"
RECEIPT_CATEGORIES = (CATEGORY_GRADES, CATEGORY_OUTCOMES, CATEGORY_PERFORMANCES, CATEGORY_CADRE)


def _roster(code: str, name: str, category: str, yearly: bool, sheets: tuple[SheetDef, ...], **kw: Any) -> RosterDef:
    return RosterDef(code=code, name=name, category=category, yearly=yearly, sheets=sheets, **kw)


_NOT_12 = (10, 11)
_ONLY_12 = (12,)
_BATCHES = {"": ("", _NOT_12), "3": ("高三第一梯次", _ONLY_12), "7": ("高三第二梯次", _ONLY_12)}


def _batch_rosters() -> list[RosterDef]:
    """24/25/26/28 for grades 10–11, and their grade-12 batch versions 34–38 (term 1) and 74–78 (term 2)."""
    out = []
    for prefix, (label, grades) in _BATCHES.items():
        first = prefix or "2"
        out += [
            _roster(f"{first}4", f"{label}校內幹部經歷名冊", CATEGORY_CADRE, False, CADRE_SHEETS, grades=grades),
            _roster(
                f"{first}5", f"{label}多元學習表現名冊", CATEGORY_PERFORMANCES, True, PERFORMANCE_SHEETS, grades=grades
            ),
            _roster(
                f"{first}6",
                f"{label}學生課程學習成果名冊",
                CATEGORY_OUTCOMES,
                True,
                OUTCOME_SHEETS,
                grades=grades,
                continuing_education=False,
            ),
            _roster(
                f"{first}8",
                f"{label}進修部學生課程學習成果名冊",
                CATEGORY_OUTCOMES,
                True,
                CONTINUING_OUTCOME_SHEETS,
                grades=grades,
                continuing_education=True,
            ),
        ]
    return out


ROSTERS: dict[str, RosterDef] = {
    r.code: r
    for r in (
        _roster("1", "學生資料名冊", CATEGORY_STUDENT, False, STUDENT_SHEETS),
        _roster("2", "學生成績名冊", CATEGORY_GRADES, False, GRADE_SHEETS),
        *_batch_rosters(),
    )
}

# Which rosters a submission in term 1 / term 2 holds.
TERM_ROSTERS: dict[int, tuple[str, ...]] = {
    1: ("1", "2", "24", "25", "26", "28", "34", "35", "36", "38"),
    2: ("1", "2", "24", "25", "26", "28", "74", "75", "76", "78"),
}


def rosters_for_term(term_number: int) -> list[RosterDef]:
    return [ROSTERS[code] for code in TERM_ROSTERS[term_number]]


# --- the receipt's names, from the same definitions ----------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReceiptSheet:
    """A worksheet as a receipt category sends it: the roster sheet it answers, and its field names."""

    name: str
    fields: tuple[str, ...]
    aliases: dict[str, str]  # another name → the name written in the roster


def _receipt_sheets() -> dict[str, dict[str, ReceiptSheet]]:
    out: dict[str, dict[str, ReceiptSheet]] = {}
    for roster in ROSTERS.values():
        if not roster.category:
            continue
        for sheet in roster.sheets:
            aliases = {alias: column.header for column in sheet.columns for alias in column.aliases}
            found = ReceiptSheet(sheet.name, sheet.receipt_fields, aliases)
            out.setdefault(roster.category, {})[sheet.name] = found
            if sheet.receipt_name:
                out[roster.category][sheet.receipt_name] = found
    return out


RECEIPT_SHEETS = _receipt_sheets()


def receipt_sheet(category: str, name: str) -> ReceiptSheet | None:
    """The definition of worksheet ``name`` of a receipt ``category`` (by either of its names)."""
    return RECEIPT_SHEETS.get(category, {}).get(name)


# --- what a build reads ----------------------------------------------------------------------------


@dataclasses.dataclass
class Context:
    """What a build reads: the school's term and its students (with class and division)."""

    school: Any
    term: Any
    students: dict[int, Any]
    # Each source reads the database once per build; rosters then pick their students' rows.
    cache: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def academic_year(self) -> Any:
        return self.term.academic_year


def is_continuing_education(student: Any) -> bool:
    return student.division.code in CONTINUING_EDUCATION_DIVISION_CODES


def students_for(roster: RosterDef, ctx: Context) -> list[Any]:
    chosen = []
    for student in ctx.students.values():
        grade = student.school_class.grade if student.school_class else None
        if grade not in roster.grades:
            continue
        if roster.continuing_education is not None and is_continuing_education(student) != roster.continuing_education:
            continue
        chosen.append(student)
    return chosen


def cover_row(school_code: str, ctx: Context, roster: RosterDef) -> list[str | int]:
    """學校代碼 as text (it may start with 0), 學年度, 學期 and 名冊別 as numbers."""
    return [school_code, ctx.academic_year.year, 0 if roster.yearly else ctx.term.number, int(roster.code)]


def term_text(ctx: Context, roster: RosterDef) -> str:
    return f"{ctx.academic_year.year}0" if roster.yearly else term_code(ctx.academic_year.year, ctx.term.number)
