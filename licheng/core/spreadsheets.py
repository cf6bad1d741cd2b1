"""A reusable spreadsheet import/export framework for record types (grades, profiles, and later
cadre roles, attendance, …).

How a record type uses it
-------------------------
1. Declare its columns: a tuple of :class:`Column` — a ``key``, the Chinese ``header`` written in
   templates and exports, a translated ``label``, English/Chinese ``aliases`` accepted in uploads,
   ``required`` (the column must be in the file), ``blank`` (a cell may be empty) and ``parse``: a
   function from the cell's text to a value that raises :class:`CellError` with a translated message.
2. ``rows = read_rows(columns, content, file_name, max_rows=…)``: judges the file by its *content*
   (an XLSX must be a bounded zip with a worksheet — zip bombs are refused before openpyxl reads a
   byte; anything else must decode as UTF-8, UTF-8 with BOM or Big5/cp950 text), maps the header
   row through the aliases (unknown, duplicated and missing columns are refused by name) and
   returns ``[Row(line, cells)]`` — cells as text in column order, blank lines skipped.
3. ``checked = parse_cells(columns, rows)``: every cell parsed on its own, formula-looking text
   refused; then the record type adds its cross-row and database checks to the same
   :class:`Checked` (``checked.add(line, key, message)``; :func:`duplicates` finds repeated keys).
4. Nothing is written unless ``checked.ok``; the caller stores the rows in an ``ImportBatch`` for
   the preview and applies them later in one transaction after checking again.
5. ``export_xlsx(title, columns, rows)`` writes a workbook; every text cell that a spreadsheet
   would run as a formula (``= + - @``, tab, CR) is neutralised with a leading apostrophe.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import decimal
import io
import logging
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from licheng.core.errors import ServiceError
from licheng.schools import rocdate

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20_000_000
MAX_UNCOMPRESSED_BYTES = 200_000_000
MAX_ZIP_ENTRIES = 500
MAX_COLUMNS = 60
DEFAULT_MAX_ROWS = 5_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


class CellError(ValueError):
    """A cell's value is wrong; the message is already in the user's language."""


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    header: str
    label: Any
    parse: Callable[[str], Any] = str
    required: bool = True
    blank: bool = False
    aliases: tuple[str, ...] = ()
    secret: bool = False
    # For the import template: a value that reads well in the example row, and a format note; both
    # default to what the parser says about itself (``describe``).
    example: str = ""
    note: Any = ""


@dataclasses.dataclass
class Row:
    line: int
    cells: list[str]


@dataclasses.dataclass
class Checked:
    """Errors (``line``, ``column`` key, ``message``) and, per line, the parsed values."""

    errors: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    values: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)
    _bad: set[tuple[int, str]] = dataclasses.field(default_factory=set)

    def add(self, line: int, column: str, message: str) -> None:
        self.errors.append({"line": line, "column": column, "message": message})
        self._bad.add((line, column))

    def has_error(self, line: int, column: str) -> bool:
        return (line, column) in self._bad

    @property
    def ok(self) -> bool:
        return not self.errors

    def sort(self, columns: Sequence[Column]) -> None:
        order = {c.key: i for i, c in enumerate(columns)}
        self.errors.sort(key=lambda e: (e["line"], order.get(e["column"], len(order))))


def header_key(text: str) -> str:
    return re.sub(r"[\s_\-()（）*]+", "", str(text)).lower()


# ---------------------------------------------------------------------------------------------
# Cell parsers (each raises CellError with a translated message)
# ---------------------------------------------------------------------------------------------


def described(parse: Any, note: Callable[[], str], example: str) -> Any:
    """Give a parser the words the import template shows for its column."""
    parse.note, parse.example = note, example
    return parse


def text(max_length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise CellError(_("At most %(limit)s characters.") % {"limit": max_length})
        return value

    return described(parse, lambda: _("Text, at most %(limit)s characters.") % {"limit": max_length}, "")


def integer(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        if not re.fullmatch(r"\d+(\.0+)?", value) or not low <= int(float(value)) <= high:
            raise CellError(
                _("Write a whole number from %(low)s to %(high)s, not “%(value)s”.")
                % {"low": low, "high": high, "value": value}
            )
        return int(float(value))

    return described(
        parse,
        lambda: _("A whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
        str(max(low, min(high, 2))),
    )


def score(value: str) -> decimal.Decimal | None:
    """0–100 with up to two decimals; ``-1`` means "no score" (the central database's code)."""
    if value in ("-1", "-1.0"):
        return None
    try:
        number = decimal.Decimal(value)
    except decimal.InvalidOperation:
        number = decimal.Decimal(-2)
    if not number.is_finite() or not 0 <= number <= 100 or number != round(number, 2):
        raise CellError(_("A score is a number from 0 to 100 (or −1 for none), not “%(value)s”.") % {"value": value})
    return number.quantize(decimal.Decimal("0.01"))


_TRUE = {"1", "y", "yes", "true", "是", "及格", "通過", "v", "○"}
_FALSE = {"0", "n", "no", "false", "否", "不及格", "未通過", "x", "×"}


def yes_no(value: str) -> bool:
    key = value.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(_("Write 1 (yes) or 0 (no), not “%(value)s”.") % {"value": value})


def roc_date(value: str) -> datetime.date:
    try:
        return rocdate.parse_roc(value)
    except rocdate.RocDateError as error:
        raise CellError(str(error)) from None


def term(value: str) -> tuple[int, int]:
    try:
        year, number = rocdate.parse_term(value)
    except rocdate.RocDateError as error:
        raise CellError(str(error)) from None
    if number not in (1, 2):
        raise CellError(_("“%(text)s” is not a term; write it like 112-1.") % {"text": value})
    return year, number


def choice(mapping: dict[str, Any], expected: str) -> Callable[[str], Any]:
    keys = {header_key(k): v for k, v in mapping.items()}

    def parse(value: str) -> Any:
        try:
            return keys[header_key(value)]
        except KeyError:
            raise CellError(
                _("“%(value)s” is not one of: %(expected)s.") % {"value": value, "expected": expected}
            ) from None

    return described(parse, lambda: _("One of: %(expected)s.") % {"expected": expected}, next(iter(mapping), ""))


described(score, lambda: _("A score from 0 to 100, up to two decimals; −1 for no score."), "85")
described(yes_no, lambda: _("1 for yes, 0 for no (是/否 also work)."), "1")
described(roc_date, lambda: _("An ROC date such as 115.11.01 (115/11/01 and 1151101 also work)."), "114.09.01")
described(term, lambda: _("Academic year and term such as 112-1 (term 1 or 2)."), "114-1")


def describe(column: Column) -> tuple[str, str]:
    """(format note, example) of a column for the import template."""
    note = str(column.note) if column.note else ""
    if not note and callable(getattr(column.parse, "note", None)):
        note = column.parse.note()  # type: ignore[attr-defined]
    example = column.example or str(getattr(column.parse, "example", "") or "")
    return note, example


def template_xlsx(title: str, columns: Sequence[Column], example: Sequence[Any] = ()) -> bytes:
    """An import template: the first sheet has only the header row (fill it in and import it back);
    the second, 「填寫說明」, shows an example row laid out the same way (``example`` when given, else
    each column's own example) and a note per column (required or not, the format, an example)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([neutralise(c.header) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(12, len(column.header) * 2 + 4)
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(str(_("How to fill in"))[:31])
    notes.append([str(_("The first sheet is imported. This is how a filled-in row looks:"))])
    notes.append([neutralise(c.header) for c in columns])
    if example:
        notes.append([neutralise(str(value)) for value in example])
    else:
        notes.append([neutralise(describe(c)[1]) for c in columns])
    notes.append([])
    notes.append([str(_("Column")), str(_("Required")), str(_("Format")), str(_("Example"))])
    for column in columns:
        note, example = describe(column)
        required = _("Required") if column.required and not column.blank else _("May be left empty")
        if column.required and column.blank:
            required = _("Column required; cells may be empty")
        notes.append([neutralise(column.header), str(required), neutralise(note), neutralise(example)])
    for row in (notes[2], notes[5]):
        for cell in row:
            cell.font = Font(bold=True)
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 22
    notes.column_dimensions["C"].width = 60
    notes.column_dimensions["D"].width = 26
    for row in notes.iter_rows(min_row=6):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return rocdate.format_roc(value)
    return str(value).strip()


def not_xlsx_message() -> str:
    return _("This file is not a real Excel (.xlsx) workbook. Save it from Excel as .xlsx or CSV and try again.")


def check_xlsx_container(content: bytes) -> None:
    """Refuse anything that is not a plausible, bounded XLSX before openpyxl opens it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError):
        raise ServiceError(not_xlsx_message(), field="file") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
            raise ServiceError(
                _("This workbook is too large once unpacked. Split it into smaller files."), field="file"
            )
        for entry in entries:
            # A compression ratio no spreadsheet reaches: a zip bomb, whatever its total claims.
            if entry.compress_size and entry.file_size / entry.compress_size > 1000 and entry.file_size > 10_000_000:
                raise ServiceError(
                    _("This workbook is too large once unpacked. Split it into smaller files."), field="file"
                )
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
            raise ServiceError(not_xlsx_message(), field="file")


def _too_many_rows(max_rows: int) -> ServiceError:
    return ServiceError(
        _("The file has more than %(limit)s rows; split it into smaller files.") % {"limit": max_rows}, field="file"
    )


def _read_xlsx(content: bytes, max_rows: int) -> list[list[str]]:
    import openpyxl

    from licheng.core.xlsx_rows import first_sheet_text_rows

    check_xlsx_container(content)

    def refuse_beyond(count: int) -> None:
        if count > max_rows + 1:
            raise _too_many_rows(max_rows)

    try:
        return first_sheet_text_rows(content, MAX_COLUMNS, cell_text, refuse_beyond)
    except ServiceError:
        raise
    except Exception:
        logger.debug("xlsx: the fast reader left the sheet to openpyxl", exc_info=True)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of error for a damaged file
        raise ServiceError(
            _("This Excel workbook could not be read; it may be damaged. Save it again and retry."), field="file"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        table: list[list[str]] = []
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            table.append([cell_text(value) for value in row])
            refuse_beyond(len(table))
        return table
    except ServiceError:
        raise
    except Exception:  # noqa: BLE001
        raise ServiceError(
            _("This Excel workbook could not be read; it may be damaged. Save it again and retry."), field="file"
        ) from None
    finally:
        workbook.close()


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM) or Big5/cp950; refuses binary data."""
    if b"\x00" in content:
        raise ServiceError(_("This file is neither an Excel workbook nor a text (CSV) file."), field="file")
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError(
        _("The file's text could not be read. Save it as “CSV UTF-8” from Excel and try again."), field="file"
    )


def _read_csv(content: bytes, max_rows: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(decode_text(content), newline=""))
    table = []
    for row in reader:
        table.append([cell.strip() for cell in row[:MAX_COLUMNS]])
        if len(table) > max_rows + 1:
            raise _too_many_rows(max_rows)
    return table


def check_size(content: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    if len(content) > max_bytes:
        raise ServiceError(_("The file is larger than %(limit)s MB.") % {"limit": max_bytes // 1_000_000}, field="file")
    if not content.strip():
        raise ServiceError(_("The file is empty."), field="file")


def read_table(content: bytes, file_name: str, *, max_rows: int = DEFAULT_MAX_ROWS) -> list[list[str]]:
    """The file's first sheet as rows of text. Raises ``ServiceError`` for anything unreadable."""
    check_size(content)
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content, max_rows)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ServiceError(
            _("This is an old-style Excel file (.xls). Save it as .xlsx or CSV and try again."), field="file"
        )
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise ServiceError(not_xlsx_message(), field="file")
    return _read_csv(content, max_rows)


def map_headers(columns: Sequence[Column], header_row: list[str]) -> list[int | None]:
    """For each column (in ``columns`` order) the index of the file's column holding it, or None.
    Raises ``ServiceError`` naming unknown, repeated and missing columns."""
    known: dict[str, int] = {}
    for index, column in enumerate(columns):
        for spelling in (column.header, column.key, *column.aliases):
            known[header_key(spelling)] = index
    positions: list[int | None] = [None] * len(columns)
    unknown: list[str] = []
    repeated: list[str] = []
    for file_index, header in enumerate(header_row):
        if not header:
            continue
        slot = known.get(header_key(header))
        if slot is None:
            unknown.append(header)
        elif positions[slot] is not None:
            repeated.append(columns[slot].header)
        else:
            positions[slot] = file_index
    expected = "、".join(c.header for c in columns)
    if unknown:
        raise ServiceError(
            _("Unknown column(s): %(columns)s. The columns are: %(expected)s.")
            % {"columns": "、".join(unknown), "expected": expected},
            field="file",
        )
    if repeated:
        raise ServiceError(
            _("Column(s) %(columns)s appear more than once.") % {"columns": "、".join(repeated)}, field="file"
        )
    missing = [c.header for c, p in zip(columns, positions, strict=True) if c.required and p is None]
    if missing:
        raise ServiceError(
            _("Missing column(s): %(columns)s. The columns are: %(expected)s.")
            % {"columns": "、".join(missing), "expected": expected},
            field="file",
        )
    return positions


def read_rows(
    columns: Sequence[Column], content: bytes, file_name: str, *, max_rows: int = DEFAULT_MAX_ROWS
) -> tuple[list[str], list[Row]]:
    """The headers present (column keys) and the file's rows, cells in ``columns`` order."""
    table = read_table(content, file_name, max_rows=max_rows)
    while table and not any(table[0]):
        table.pop(0)
    if not table:
        raise ServiceError(_("The file is empty."), field="file")
    positions = map_headers(columns, table[0])
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        size = len(cells)
        rows.append(Row(number, [cells[p] if p is not None and p < size else "" for p in positions]))
    if not rows:
        raise ServiceError(_("The file has column headers but no rows."), field="file")
    if len(rows) > max_rows:
        raise _too_many_rows(max_rows)
    present = [c.key for c, p in zip(columns, positions, strict=True) if p is not None]
    return present, rows


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(value)


def parse_cells(columns: Sequence[Column], rows: Iterable[Row], present: Iterable[str] | None = None) -> Checked:
    """Every cell on its own: formula-looking text, missing values, each column's parser.
    Columns not in ``present`` (absent from the file) are ``None`` without being looked at."""
    result = Checked()
    formula = _("“%(value)s” looks like a spreadsheet formula; remove the leading %(char)s.")
    required = _("This cell must not be empty.")
    keys = set(present) if present is not None else {c.key for c in columns}
    # Each column's outcome per distinct text: (value, None) or (None, message). A column of a
    # 60,000-row file holds few distinct texts (terms, codes, scores), and parsers are functions
    # of the text alone, so each is parsed once.
    plan: list[tuple[int, Column, dict[str, tuple[Any, str | None]]]] = [
        (i, c, {}) for i, c in enumerate(columns) if c.key in keys
    ]
    absent = {c.key: None for c in columns if c.key not in keys}
    for row in rows:
        values: dict[str, Any] = dict(absent)
        line = row.line
        cells = row.cells
        for index, column, outcomes in plan:
            value = cells[index]
            if not value:
                if not column.blank:
                    result.add(line, column.key, required)
                values[column.key] = None
                continue
            outcome = outcomes.get(value)
            if outcome is None:
                outcome = outcomes[value] = _parse_cell(column, value, formula)
            values[column.key], message = outcome
            if message is not None:
                result.add(line, column.key, message)
        result.values[line] = values
    return result


def _parse_cell(column: Column, value: str, formula: str) -> tuple[Any, str | None]:
    if value[0] in "=+-@\t\r" and looks_like_formula(value):
        return None, formula % {"value": value[:40], "char": value[0]}
    try:
        return column.parse(value), None
    except CellError as error:
        return None, str(error)


def duplicates(
    rows: Iterable[Row],
    key: Callable[[Row], Any],
    result: Checked,
    column: str,
    message: str,
) -> None:
    """Flag every row whose ``key`` (not None) repeats another row's; ``message`` has ``%(lines)s``."""
    seen: dict[Any, list[int]] = defaultdict(list)
    for row in rows:
        value = key(row)
        if value is not None:
            seen[value].append(row.line)
    for lines in seen.values():
        if len(lines) > 1:
            for line in lines:
                others = "、".join(str(n) for n in lines if n != line)
                result.add(line, column, message % {"lines": others})


# ---------------------------------------------------------------------------------------------
# Writing workbooks
# ---------------------------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def workbook_bytes(title: str, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([neutralise(h) for h in header])
    for row in rows:
        sheet.append([neutralise(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_xlsx(title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """A workbook whose header row uses each column's Chinese header (so it imports back)."""
    return workbook_bytes(title, [c.header for c in columns], rows)
