"""The expat reader of ``xlsx_rows`` gives exactly what openpyxl's read-only rows give, and leaves
to openpyxl what it does not handle."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import openpyxl
import pytest

from licheng.core import spreadsheets
from licheng.core.spreadsheets import MAX_COLUMNS, cell_text
from licheng.core.xlsx_rows import Unsupported, first_sheet_text_rows


def _openpyxl_rows(content: bytes) -> list[list[str]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    try:
        rows = workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True)
        return [[cell_text(v) for v in row] for row in rows]
    finally:
        workbook.close()


def _fast_rows(content: bytes) -> list[list[str]]:
    return first_sheet_text_rows(content, MAX_COLUMNS, cell_text)


def _save(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _full_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["學號", " 姓名 ", "出生日期", "分數", "及格", "小數", "空白"])
    sheet.append(["1140001", "王小明", datetime.date(2008, 5, 1), 87, True, 59.5, None])
    sheet.append([1140002, "  李 小華  ", datetime.datetime(2008, 12, 31, 8, 30), 60.0, False, 1e-7, ""])
    sheet["B7"] = "a row after a gap"
    sheet["D7"] = -3
    sheet["BZ7"] = "beyond the columns read"
    sheet["A9"] = "&<>\"' entities\nand a new line"
    sheet["C9"] = 45000
    sheet["C9"].number_format = "yyyy-mm-dd"
    sheet["E9"] = 1234567890123
    return _save(workbook)


def _write_only_workbook() -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(["學號", "學年期", "課程代碼", "學分數", "學期成績"])
    for n in range(200):
        sheet.append([f"114{n:04d}", "113-1", "X" * (n % 7), 2, 40 + n % 61 if n % 5 else None])
    return _save(workbook)


def _with_dimension(ref: str) -> bytes:
    """The write-only workbook with a dimension that claims fewer rows than the sheet holds."""
    source = zipfile.ZipFile(io.BytesIO(_write_only_workbook()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b"<sheetData", f'<dimension ref="{ref}"/><sheetData'.encode(), 1)
            target.writestr(item, data)
    return buffer.getvalue()


def _inline_strings() -> bytes:
    """Cells as inline strings (``t="inlineStr"``), with a rich-text run and a phonetic run."""
    source = zipfile.ZipFile(io.BytesIO(_write_only_workbook()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(
                    b"</sheetData>",
                    b'<row r="300"><c r="A300" t="inlineStr"><is><t> plain </t></is></c>'
                    b'<c r="B300" t="inlineStr"><is><r><t>rich</t></r><r><t> run</t></r>'
                    b'<rPh sb="0" eb="1"><t>phonetic</t></rPh></is></c><c r="C300" t="inlineStr"/></row></sheetData>',
                    1,
                )
            target.writestr(item, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "make",
    [
        _full_workbook,
        _write_only_workbook,
        lambda: _with_dimension("A1:E10"),
        lambda: _with_dimension("A1:E500"),
        _inline_strings,
    ],
)
def test_same_rows_as_openpyxl(make: Any) -> None:
    content = make()
    assert _fast_rows(content) == _openpyxl_rows(content)


def test_a_formula_is_left_to_openpyxl() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["學號", "分數"])
    workbook.active.append(["1140001", "=1+1"])
    content = _save(workbook)
    with pytest.raises(Unsupported):
        _fast_rows(content)
    # The import still reads it, through openpyxl: the formula text, which the checks refuse.
    assert spreadsheets.read_table(content, "f.xlsx")[1] == ["1140001", "=1+1"] + [""] * (MAX_COLUMNS - 2)


def test_read_table_uses_the_same_rows() -> None:
    content = _full_workbook()
    assert spreadsheets.read_table(content, "x.xlsx", max_rows=100) == _openpyxl_rows(content)


def test_too_many_rows_is_refused_while_reading() -> None:
    with pytest.raises(spreadsheets.ServiceError):
        spreadsheets.read_table(_write_only_workbook(), "x.xlsx", max_rows=50)
