"""A streaming XLSX writer for rosters: text cells (inline strings) and whole numbers, one pass, constant memory.

Rosters are large (a school's grades are hundreds of thousands of cells) and simple (every cell is
text, headers included); openpyxl's write-only mode spends most of a build creating a cell object
per value. This writes the same SpreadsheetML that openpyxl reads back (tested), sheet by sheet
into a temporary file inside the ZIP, so memory does not grow with the roster.

Text that a spreadsheet would run as a formula is neutralised by the caller
(``licheng.core.spreadsheets.neutralise``); cells are written as inline strings, never formulas.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

# Characters XML 1.0 does not allow (control characters other than tab, LF, CR).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_CONTENT_TYPES_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell_text(value: object) -> str:
    text = "" if value is None else str(value)
    return escape(_ILLEGAL.sub("", text))


class RosterWorkbook:
    """``with RosterWorkbook(path) as book: book.sheet(name, rows)`` — rows of text values."""

    def __init__(self, path: str) -> None:
        self.archive = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.names: list[str] = []

    def sheet(self, name: str, rows: Iterable[Sequence[object]]) -> None:
        self.names.append(name)
        columns: list[str] = []
        with self.archive.open(f"xl/worksheets/sheet{len(self.names)}.xml", "w", force_zip64=True) as out:
            out.write(_SHEET_HEAD.encode())
            buffer: list[str] = []
            for number, row in enumerate(rows, start=1):
                while len(columns) < len(row):
                    columns.append(_column(len(columns)))
                cells = "".join(
                    f'<c r="{columns[i]}{number}"><v>{v}</v></c>'
                    if isinstance(v, int) and not isinstance(v, bool)
                    else f'<c r="{columns[i]}{number}" t="inlineStr">'
                    f'<is><t xml:space="preserve">{_cell_text(v)}</t></is></c>'
                    for i, v in enumerate(row)
                    if v not in (None, "")
                )
                # A blank last cell is still written (empty), so that readers without the sheet's
                # dimension (openpyxl's read-only mode) see every row as wide as the header.
                if columns and (len(row) < len(columns) or row[len(columns) - 1] in (None, "")):
                    cells += f'<c r="{columns[-1]}{number}"/>'

                buffer.append(f'<row r="{number}">{cells}</row>')
                if len(buffer) >= 500:
                    out.write("".join(buffer).encode())
                    buffer.clear()
            out.write(("".join(buffer) + _SHEET_TAIL).encode())

    def close(self) -> None:
        sheets = "".join(
            f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(self.names, start=1)
        )
        workbook = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{sheets}</sheets></workbook>"
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(self.names) + 1)
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(self.names) + 1)
        )
        self.archive.writestr("[Content_Types].xml", _CONTENT_TYPES_HEAD + overrides + "</Types>")
        self.archive.writestr("_rels/.rels", _ROOT_RELS)
        self.archive.writestr("xl/workbook.xml", workbook)
        self.archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        self.archive.close()

    def __enter__(self) -> RosterWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
