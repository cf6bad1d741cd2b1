"""The first worksheet's cells as text, read with expat instead of openpyxl's element tree.

openpyxl's read-only mode builds an element, a dict and a cell value for every cell, and for a
sheet without a dimension (openpyxl's own write-only files, many other programs) it first parses
the whole sheet once just to look for one. This reader reads the workbook's other parts with
openpyxl's own reader (shared strings, which styles are dates, the date epoch) and parses the
worksheet XML once, with expat callbacks, producing exactly what ``[cell_text(v) for v in row]``
gives for each row of ``sheet.iter_rows(max_col=…, values_only=True)``: the same rows (missing ones
as empty rows, cut at the sheet's dimension), the same values. Anything it does not handle the
same way (formulas, unknown cell types, dates out of range, durations, an unexpected namespace)
raises ``Unsupported``, and the caller reads the sheet with openpyxl instead.
``licheng/core/tests/test_xlsx_rows.py`` compares both."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import IO, Any
from xml.parsers import expat

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHEET_MAIN_NS

_NS = SHEET_MAIN_NS + " "
_ROW, _CELL, _VALUE = _NS + "row", _NS + "c", _NS + "v"
_INLINE, _TEXT, _PHONETIC, _FORMULA = _NS + "is", _NS + "t", _NS + "rPh", _NS + "f"
_DATA, _DIMENSION = _NS + "sheetData", _NS + "dimension"
_DIGITS = "0123456789"


class Unsupported(Exception):
    """The worksheet holds something this reader does not turn into text like openpyxl does."""


def first_sheet_text_rows(
    content: bytes, max_col: int, cell_text: Callable[[Any], str], on_row: Callable[[int], None] | None = None
) -> list[list[str]]:
    """The rows of the workbook's first worksheet, each ``max_col`` texts wide. ``on_row(count)``
    is called after each row is added (to refuse a file with too many rows while reading it).

    The workbook's parts are read as ``openpyxl.load_workbook(read_only=True)`` reads them, except
    that the worksheets are not opened: openpyxl's read-only worksheet looks for the sheet's
    dimension when it is created, which for a sheet without one (files written by openpyxl's
    write-only mode and by many other programs) is a parse of the whole sheet before the one that
    reads the cells. Here the dimension is taken in the same pass as the cells."""
    reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        reader.read_properties()
        reader.read_custom()
        reader.read_theme()
        apply_stylesheet(reader.archive, reader.wb)
        for _sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                break
        else:
            raise Unsupported("no worksheet")
        with reader.archive.open(rel.target) as source:
            return _text_rows(source, reader.wb, reader.shared_strings, max_col, cell_text, on_row)
    finally:
        reader.archive.close()


def _text_rows(
    source: IO[bytes],
    workbook: Any,
    shared_strings: list[Any],
    max_col: int,
    cell_text: Callable[[Any], str],
    on_row: Callable[[int], None] | None,
) -> list[list[str]]:
    strings = [cell_text(s) for s in shared_strings]
    date_styles = frozenset(workbook._date_formats)
    timedelta_styles = frozenset(workbook._timedelta_formats)
    epoch = workbook.epoch
    max_row: int | None = None
    seen_data = False
    empty = [""] * max_col
    table: list[list[str]] = []
    stopped = False  # at the dimension's last row, where openpyxl stops reading too
    # The cell being read: its row (a list of texts), column, type, style and text pieces.
    row_number = 0
    row: list[str] = list(empty)
    column = 0
    kind = "n"
    style = 0
    pieces: list[str] | None = None
    phonetic = 0
    columns: dict[str, int] = {}

    def number(raw: str, style: int) -> str:
        value: Any = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
        if style in date_styles:
            try:
                value = from_excel(value, epoch, timedelta=style in timedelta_styles)
            except (OverflowError, ValueError):
                raise Unsupported("date out of range") from None
            if isinstance(value, datetime.timedelta):
                raise Unsupported("duration")
        return cell_text(value)

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row_number, row, column, kind, style, pieces, phonetic, seen_data, max_row
        if name == _CELL:
            reference = attrs.get("r")
            if reference:
                letters = reference.rstrip(_DIGITS)
                found = columns.get(letters)
                if found is None:
                    found = columns[letters] = column_index_from_string(letters)
                column = found
            else:
                column += 1
            kind = attrs.get("t", "n")
            given = attrs.get("s")
            style = int(given) if given else 0
            pieces = None
        elif name == _VALUE:
            pieces = []
            parser.CharacterDataHandler = pieces.append
        elif name == _ROW:
            reference = attrs.get("r")
            if reference:
                try:
                    row_number = int(reference)
                except ValueError:
                    raise Unsupported(reference) from None
            else:
                row_number += 1
            column = 0
            row = list(empty)
        elif name == _INLINE:
            pieces = []
        elif name == _TEXT and pieces is not None and phonetic == 0:
            parser.CharacterDataHandler = pieces.append
        elif name == _PHONETIC:
            phonetic += 1
        elif name == _FORMULA:
            raise Unsupported("formula")
        elif name == _DATA:
            seen_data = True
        elif name == _DIMENSION and not seen_data:
            # openpyxl reads the dimension only before the cells, as SheetDimension.boundaries
            max_row = range_boundaries(attrs["ref"])[3]

    def end(name: str) -> None:
        nonlocal stopped, phonetic
        if name in (_VALUE, _TEXT):
            parser.CharacterDataHandler = None
        elif name == _CELL:
            if column > max_col or pieces is None:
                return
            raw = "".join(pieces)
            if kind == "n":
                if not raw:
                    return
                text = number(raw, style)
            elif kind == "s":
                if not raw:
                    return
                text = strings[int(raw)]
            elif kind == "inlineStr":
                if "_x" in raw:
                    raise Unsupported("escaped characters")
                text = raw.strip()
            elif not raw:
                return
            elif kind in ("str", "e"):
                text = raw.strip()
            elif kind == "b":
                text = "1" if int(raw) else "0"
            elif kind == "d":
                text = cell_text(from_ISO8601(raw))
            else:
                raise Unsupported(kind)
            row[column - 1] = text
        elif name == _ROW:
            if max_row is not None and row_number > max_row:
                stopped = True
                raise Unsupported("max_row")
            if row_number < len(table) + 1:
                return  # a row again, or out of order: openpyxl skips it
            while len(table) + 1 < row_number:
                table.append(list(empty))
                if on_row is not None:
                    on_row(len(table))
            table.append(row)
            if on_row is not None:
                on_row(len(table))
        elif name == _PHONETIC:
            phonetic -= 1

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    head = source.read(4096)
    if SHEET_MAIN_NS.encode() not in head:
        raise Unsupported("namespace")
    try:
        parser.Parse(head, False)
        while chunk := source.read(1 << 20):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except Unsupported:
        if not stopped:
            raise
    if stopped and max_row is not None:  # openpyxl then gives the missing rows up to the dimension's last one
        while len(table) < max_row:
            table.append(list(empty))
            if on_row is not None:
                on_row(len(table))
    return table
