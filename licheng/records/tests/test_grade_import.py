"""Importing grades: preview, row-level errors, all-or-nothing, re-import updates, bad files."""

from __future__ import annotations

import decimal
import io
import zipfile

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from licheng.records.models import Grade, ImportBatch
from licheng.records.tests.conftest import CODE, GRADE_HEADER, csv_bytes, grade_row, upload, xlsx
from licheng.testing.factories import StudentFactory
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db
START = reverse("records:import_start", kwargs={"kind": "grades"})


def _check(client: Client, name: str, content: bytes) -> tuple[ImportBatch | None, str]:
    response = client.post(START, {"file": upload(name, content)}, follow=True)
    assert response.status_code == 200
    return ImportBatch.objects.order_by("-pk").first(), response.content.decode()


def _apply(client: Client, batch: ImportBatch) -> str:
    url = reverse("records:import_apply", kwargs={"kind": "grades", "pk": batch.pk})
    return client.post(url, follow=True).content.decode()


def test_good_file_previews_then_imports_and_reimport_updates(personas: Personas, registry: Client) -> None:
    number = personas.student.student_number
    content = xlsx([GRADE_HEADER, grade_row(number), grade_row(number, term="114-2", score=59)])
    batch, page = _check(registry, "grades.xlsx", content)
    assert batch is not None and batch.error_count == 0
    assert "匯入 2 筆" in page
    assert Grade.objects.count() == 0  # preview writes nothing
    page = _apply(registry, batch)
    assert Grade.objects.count() == 2
    assert "新增 2 筆" in page
    # The same file again, with one score changed: updates, never duplicates.
    content = xlsx([GRADE_HEADER, grade_row(number, score=90), grade_row(number, term="114-2", score=59)])
    batch, _page = _check(registry, "grades.xlsx", content)
    assert batch is not None
    _apply(registry, batch)
    assert Grade.objects.count() == 2
    assert Grade.objects.get(term=1).score == 90
    batch.refresh_from_db()
    assert batch.summary == {"created": 0, "updated": 1, "unchanged": 1}


def test_one_bad_row_blocks_every_row(personas: Personas, registry: Client) -> None:
    number = personas.student.student_number
    content = xlsx([GRADE_HEADER, grade_row(number), grade_row("9999999")])
    batch, page = _check(registry, "grades.xlsx", content)
    assert batch is not None and batch.error_count == 1
    assert "第 3 列，學號欄：本校沒有學號 9999999 的學生。" in page
    _apply(registry, batch)
    assert Grade.objects.count() == 0


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (grade_row("{n}", code="114123456A1101010000009"), "課程代碼", "不在本校的課程代碼中"),
        (grade_row("{n}", code="12345"), "課程代碼", "不是課程代碼"),
        (grade_row("{n}", term="114-3"), "學年期", "不是學期"),
        (grade_row("{n}", score=101), "學期成績", "0 到 100"),
        (grade_row("{n}", score="=1+1"), "學期成績", "看起來像試算表公式"),
        (grade_row("{n}", subject="@SUM(A1)"), "科目名稱", "看起來像試算表公式"),
        (grade_row(""), "學號", "請填學號或身分證號"),
    ],
)
def test_bad_cells_are_named_by_row_and_column(
    personas: Personas, registry: Client, row: list[object], column: str, message: str
) -> None:
    row = [personas.student.student_number if cell == "{n}" else cell for cell in row]
    batch, page = _check(registry, "grades.xlsx", xlsx([GRADE_HEADER, row]))
    assert batch is not None and batch.error_count >= 1
    assert f"第 2 列，{column}欄" in page
    assert message in page
    _apply(registry, batch)
    assert Grade.objects.count() == 0


def test_errors_in_english(personas: Personas, registry_en: Client) -> None:
    _batch, page = _check(registry_en, "grades.xlsx", xlsx([GRADE_HEADER, grade_row("9999999")]))
    assert "Line 2, column 學號: No student with number 9999999 in this school." in page


def test_duplicate_rows(personas: Personas, registry: Client) -> None:
    number = personas.student.student_number
    batch, page = _check(registry, "grades.xlsx", xlsx([GRADE_HEADER, grade_row(number), grade_row(number)]))
    assert batch is not None and batch.error_count == 2
    assert "與第 3 列的學生、學期、課程代碼及修課類別相同" in page


def test_students_found_by_national_id_with_checksum(personas: Personas, registry: Client) -> None:
    header = ["身分證號", *GRADE_HEADER[1:]]
    good = [personas.student.national_id, *grade_row("")[1:]]
    bad = ["A123456788", *grade_row("", term="114-2")[1:]]
    batch, page = _check(registry, "grades.csv", csv_bytes([header, good, bad]))
    assert batch is not None and batch.error_count == 1
    assert "第 3 列，身分證號欄" in page and "檢查碼錯誤" in page
    assert personas.student.national_id not in str(batch.rows)  # stored sealed, shown masked
    batch, _page = _check(registry, "grades.csv", csv_bytes([header, good]))
    assert batch is not None
    _apply(registry, batch)
    assert Grade.objects.get().student == personas.student


def test_variants(personas: Personas, registry: Client) -> None:
    number = personas.student.student_number
    header = [
        *GRADE_HEADER,
        "修課類別",
        "應修學年期",
        "修課方式",
        "原修課學年期",
        "原課程代碼",
        "對應學年期",
        "抵免成績",
    ]
    rows = [
        [*grade_row(number), "補修", "113-2", "自學", "", "", "", ""],
        [*grade_row(number), "重修", "", "隨班", "113-1", CODE, "", ""],
        [*grade_row(number), "轉學轉科", "", "", "", "", "113-1", 70],
        [*grade_row(number), "重讀", "", "", "", "", "", ""],
        [*grade_row(number, term="114-2"), "補修", "", "", "", "", "", ""],
    ]
    batch, page = _check(registry, "grades.xlsx", xlsx([header, *rows]))
    assert batch is not None and batch.error_count == 1
    assert "第 6 列，應修學年期欄：補修需要填寫原應修的學期。" in page
    batch, page = _check(registry, "grades.xlsx", xlsx([header, *rows[:4]]))
    assert batch is not None
    _apply(registry, batch)
    makeup = Grade.objects.get(variant="makeup_course")
    assert (makeup.due_academic_year, makeup.due_term, makeup.method) == (113, 2, "自學")
    retake = Grade.objects.get(variant="retake")
    assert (retake.original_academic_year, retake.original_course_code) == (113, CODE)
    transfer = Grade.objects.get(variant="transfer")
    assert (transfer.mapped_academic_year, transfer.mapped_term, transfer.transfer_score) == (113, 1, 70)
    assert Grade.objects.get(variant="repeat").is_repeat


def test_course_code_changed_since_preview_is_refused_at_apply(personas: Personas, registry: Client) -> None:
    other = StudentFactory.create(school_class=personas.school_class)
    batch, _page = _check(registry, "grades.xlsx", xlsx([GRADE_HEADER, grade_row(other.student_number)]))
    assert batch is not None and batch.error_count == 0
    other.student_number = "X1"
    other.save()
    page = _apply(registry, batch)
    assert "未匯入任何資料" in page
    assert Grade.objects.count() == 0


BAD_FILES = {
    "unknown column": ("grades.xlsx", lambda: xlsx([["學號", "姓名"], ["1", "x"]]), "無法辨識的欄位：姓名"),
    "missing column": ("grades.xlsx", lambda: xlsx([["學號", "課程代碼"], ["1", CODE]]), "缺少欄位：學年期"),
    "no student column": (
        "grades.xlsx",
        lambda: xlsx([["學年期", *GRADE_HEADER[2:]], ["114-1"]]),
        "需要「學號」或「身分證號」欄",
    ),
    "renamed text file": ("grades.xlsx", lambda: b"just some text pretending", "不是真正的 Excel"),
    "binary as csv": ("grades.csv", lambda: b"\x00\x01binary\x00", "既不是 Excel 活頁簿也不是文字"),
    "old xls": ("grades.xlsx", lambda: b"\xd0\xcf\x11\xe0old", "舊版 Excel"),
    "empty": ("grades.csv", lambda: b" ", "檔案是空的"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_change_nothing(registry: Client, case: str) -> None:
    name, make, message = BAD_FILES[case]
    batch, page = _check(registry, name, make())
    assert batch is None
    assert message in page


def test_an_oversized_file_is_refused_while_it_arrives(registry: Client) -> None:
    """Read by the one streaming upload handler: refused at the limit with a message, nothing kept."""
    response = registry.post(START, {"file": upload("grades.csv", b"x" * 20_000_001)})
    assert response.status_code == 413
    assert "檔案超過大小上限" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_zip_bomb_is_refused_before_reading(registry: Client) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 210_000_000)
    batch, page = _check(registry, "grades.xlsx", buffer.getvalue())
    assert batch is None
    assert "解壓縮後太大" in page


def test_big5_csv(personas: Personas, registry: Client) -> None:
    content = csv_bytes([GRADE_HEADER, grade_row(personas.student.student_number)], encoding="cp950")
    batch, _page = _check(registry, "grades.csv", content)
    assert batch is not None and batch.error_count == 0
    assert batch.rows[0][1][3] == "國文"


NATIONAL_HEADER = [
    "修課類別",
    "原修課學年期",
    "原課程代碼",
    "重修成績",
    "重修及格",
    "對應學年期",
    "身分別",
    "學年學業成績",
    "學年及格",
    "第一學期開設修課節數",
    "第二學期開設修課節數",
    "補考成績",
    "補考是否及格",
    "第二次補考成績",
    "第二次及格",
]


def test_national_fields_of_retake_transfer_and_continuing_education(personas: Personas, registry: Client) -> None:
    number = personas.student.student_number
    header = [*GRADE_HEADER, *NATIONAL_HEADER]
    blank = [""] * 15
    retake = [*grade_row(number), "重修", "113-1", CODE, 62, "是", *blank[5:]]
    transfer = [*grade_row(number), "轉學轉科", "", "", "", "", "113-1", "2", *blank[7:]]
    evening = [*grade_row(number), "一般", "", "", "", "", "", "", 66.5, 1, *blank[9:]]
    makeup_exam = [number, "114-1", CODE, "國文", 10, "", "", ""]
    makeup_exam += ["進修部補考", "", "", "", "", "", "", "", "", 36, 0, 40, 0, 65, 1]
    batch, page = _check(registry, "grades.xlsx", xlsx([header, retake, transfer, evening, makeup_exam]))
    assert batch is not None and batch.error_count == 0, page
    _apply(registry, batch)
    got = Grade.objects.get(variant="retake")
    assert (got.retake_score, got.retake_passed) == (62, True)
    got = Grade.objects.get(variant="transfer")
    assert got.transfer_identity == "2"
    got = Grade.objects.get(variant="regular")
    assert (got.year_score, got.year_passed) == (decimal.Decimal("66.50"), True)
    got = Grade.objects.get(variant="makeup_exam")
    assert (got.term1_periods, got.term2_periods, got.credits) == (36, 0, 0)
    assert (got.makeup_score, got.makeup_passed, got.second_makeup_score, got.second_makeup_passed) == (
        40,
        False,
        65,
        True,
    )
    # The export carries the new columns and reads back as the same grades.
    exported = registry.get(reverse("records:grade_export")).content
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
    head = [c.value for c in sheet[1]]
    for name in ("重修及格", "身分別", "學年學業成績", "第一學期開設修課節數", "第二次補考成績", "第二次及格"):
        assert name in head
    assert "進修部補考" in [row[head.index("修課類別")] for row in sheet.iter_rows(values_only=True)]


def test_bad_national_fields_block_the_whole_file(personas: Personas, registry: Client) -> None:
    number = personas.student.student_number
    header = [*GRADE_HEADER, *NATIONAL_HEADER]
    good = [*grade_row(number), "重修", "113-1", CODE, 62, 1, *[""] * 10]
    bad = [*grade_row(number, term="114-2"), "進修部補考", "", "", "", "也許", "", "第2類", 101]
    bad += ["", 300, "", "", "", "", ""]
    batch, page = _check(registry, "grades.xlsx", xlsx([header, good, bad]))
    assert batch is not None
    assert "第 3 列，重修及格欄：請填 1（是）或 0（否），不是「也許」。" in page
    assert "第 3 列，身分別欄：" in page
    assert "第 3 列，學年學業成績欄：" in page
    assert "第 3 列，第一學期開設修課節數欄：" in page
    _apply(registry, batch)
    assert Grade.objects.count() == 0
