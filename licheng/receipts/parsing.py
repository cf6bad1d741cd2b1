"""Reading a receipt ZIP (收訖明細) as the central database sends it (FORMATS.md §2).

- One password-protected ZIP (ZipCrypto or WinZip AES), holding a hash list ``SHA.txt`` (the name in
  any case) and one UTF-8 JSON file per category, usually with a BOM. The category is the word the
  file's name contains (多元表現, 修課紀錄, 校內幹部經歷, 課程學習成果); other files are skipped.
- ``SHA.txt``: a line per file, cells separated by commas in no fixed order, perhaps a header line;
  the line with a cell equal to the file's name holds its lower-case hex SHA-256 in another cell.
  Every category file's hash is checked before any JSON is parsed.
- JSON: ``{"名冊資訊": [{"名稱": …, "SHA": …}, …], "<類別>": [{"身分證號", "出生日期", "<工作表>": [rows] | null}]}``.
  Worksheets and fields are renamed to the names the rosters write (``rosters.receipt_sheet``), so the
  comparison with what was sent matches them; unknown worksheets and fields are kept as they came.

Every refusal is a ``ServiceError`` naming the file (and student) the registry can act on.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import hashlib
import io
import json
import re
import zipfile
import zlib
from typing import Any

from django.utils.translation import gettext as _

from licheng.core.errors import ServiceError
from licheng.schools import rocdate
from licheng.submissions.rosters import BIRTH_HEADER, ID_HEADER, RECEIPT_CATEGORIES, receipt_sheet

SHA_FILE = "sha.txt"
INFO_KEY = "名冊資訊"
MAX_BYTES = 50_000_000
MAX_UNCOMPRESSED = 300_000_000
MAX_ENTRIES = 50
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclasses.dataclass
class Entry:
    category: str
    national_id: str
    birth_date: datetime.date | None
    birth_text: str
    sheets: dict[str, list[dict[str, str]]]


@dataclasses.dataclass
class ParsedReceipt:
    # 名冊資訊 of each category's file: {category: [{"名稱": roster file name, "SHA": its hash}, …]}.
    roster_info: dict[str, list[dict[str, str]]]
    categories: list[str]
    entries: list[Entry]
    # Files in the ZIP that are not category files (besides SHA.txt): skipped.
    skipped: list[str]


def _open(content: bytes, password: str) -> Any:
    import pyzipper

    if len(content) > MAX_BYTES:
        raise ServiceError(_("The receipt file is too large."), field="upload")
    try:
        archive = pyzipper.AESZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, pyzipper.BadZipFile, OSError, ValueError):
        raise ServiceError(_("This is not a ZIP file; upload the receipt ZIP as downloaded."), field="upload") from None
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if len(infos) > MAX_ENTRIES or sum(info.file_size for info in infos) > MAX_UNCOMPRESSED:
        raise ServiceError(_("The receipt ZIP holds too many or too large files."), field="upload")
    archive.setpassword(password.encode())
    return archive


def _read(archive: Any, name: str) -> bytes:
    import pyzipper

    try:
        data: bytes = archive.read(name)
    except RuntimeError as error:  # pyzipper: "Bad password for file"; "…encrypted, password required"
        if "password" in str(error).lower():
            raise ServiceError(_("The password is wrong for this receipt ZIP."), field="password") from None
        raise
    except (zipfile.BadZipFile, pyzipper.BadZipFile, zlib.error):
        # A wrong ZipCrypto password passes the one-byte check about once in 256 tries; the bytes
        # then decrypt to garbage and either the inflate (zlib.error) or the CRC check fails.
        raise ServiceError(_("The password is wrong for this receipt ZIP."), field="password") from None
    return data


def base_name(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def category_of(name: str) -> str:
    """The category a file's name names, or ""."""
    found = [category for category in RECEIPT_CATEGORIES if category in base_name(name)]
    return found[0] if len(found) == 1 else ""


def sha_lines(text: str) -> list[list[str]]:
    """The cells of each non-empty line of SHA.txt (commas, or tabs where a line has no comma)."""
    lines = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        delimiter = "," if "," in raw or "\t" not in raw else "\t"
        row = next(csv.reader([raw], delimiter=delimiter), [])
        lines.append([cell.strip().strip("\ufeff") for cell in row])
    return lines


def listed_hash(lines: list[list[str]], name: str) -> str | None:
    """The SHA-256 that SHA.txt gives ``name`` (matched with or without its folder), or None."""
    wanted = {name, base_name(name)}
    for cells in lines:
        if any(cell in wanted for cell in cells):
            for cell in cells:
                if _HEX64.match(cell):
                    return cell.lower()
    return None


def _decode(data: bytes, name: str) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ServiceError(_("%(file)s is not UTF-8 text.") % {"file": name}, field="upload") from None
    except json.JSONDecodeError as error:
        raise ServiceError(
            _("%(file)s is not valid JSON (line %(line)d, column %(column)d).")
            % {"file": name, "line": error.lineno, "column": error.colno},
            field="upload",
        ) from None


def _shape_error(name: str) -> ServiceError:
    return ServiceError(
        _("%(file)s does not have the receipt layout: “名冊資訊” and one category with a list of students.")
        % {"file": name},
        field="upload",
    )


def _roster_info(value: Any, name: str) -> list[dict[str, str]]:
    """名冊資訊 as a list of ``{名稱, SHA}``; an older single object is kept as one entry."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, dict) for item in items):
        raise _shape_error(name)
    return [{str(k): "" if v is None else str(v).strip() for k, v in item.items()} for item in items]


def parse_receipt(content: bytes, password: str) -> ParsedReceipt:
    archive = _open(content, password)
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    sha_names = [name for name in names if base_name(name).lower() == SHA_FILE]
    if not sha_names:
        raise ServiceError(_("The receipt ZIP has no SHA.txt."), field="upload")
    if len(sha_names) > 1:
        raise ServiceError(_("The receipt ZIP holds more than one SHA.txt."), field="upload")
    lines = sha_lines(_read(archive, sha_names[0]).decode("utf-8-sig", errors="replace"))
    others = [name for name in names if name not in sha_names]
    category_files = {name: category_of(name) for name in others if category_of(name)}
    skipped = [name for name in others if name not in category_files]
    if not category_files:
        raise ServiceError(
            _("The ZIP holds no receipt file: no file name names 修課紀錄, 課程學習成果, 多元表現 or 校內幹部經歷."),
            field="upload",
        )
    # 1. Every hash, before reading any JSON.
    contents: dict[str, bytes] = {}
    for name in sorted(category_files):
        expected = listed_hash(lines, name)
        if expected is None:
            raise ServiceError(_("%(file)s is not listed in SHA.txt.") % {"file": name}, field="upload")
        data = _read(archive, name)
        if hashlib.sha256(data).hexdigest() != expected:
            raise ServiceError(
                _("%(file)s does not match its SHA-256 in SHA.txt: the file was changed or damaged.") % {"file": name},
                field="upload",
            )
        contents[name] = data
    # 2. Then the JSON.
    roster_info: dict[str, list[dict[str, str]]] = {}
    categories: list[str] = []
    entries: list[Entry] = []
    for name, data in contents.items():
        category = category_files[name]
        if category in categories:
            raise ServiceError(
                _("The category “%(category)s” appears in more than one file.") % {"category": category},
                field="upload",
            )
        categories.append(category)
        document = _decode(data, name)
        if not isinstance(document, dict):
            raise _shape_error(name)
        roster_info[category] = _roster_info(document.get(INFO_KEY), name)
        lists = [key for key in document if key != INFO_KEY]
        key = category if category in document else (lists[0] if len(lists) == 1 else None)
        if key is None or not isinstance(document[key], list):
            raise _shape_error(name)
        seen: set[str] = set()
        for index, item in enumerate(document[key], start=1):
            entries.append(_entry(name, category, index, item, seen))
    return ParsedReceipt(roster_info=roster_info, categories=categories, entries=entries, skipped=skipped)


def _cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _entry(name: str, category: str, index: int, item: Any, seen: set[str]) -> Entry:
    if not isinstance(item, dict) or not isinstance(item.get(ID_HEADER), str) or not item[ID_HEADER].strip():
        raise ServiceError(
            _("%(file)s, student %(index)d: “身分證號” is missing.") % {"file": name, "index": index}, field="upload"
        )
    national_id = item[ID_HEADER].strip().upper()
    if national_id in seen:
        raise ServiceError(
            _("%(file)s lists the same student twice (student %(index)d).") % {"file": name, "index": index},
            field="upload",
        )
    seen.add(national_id)
    birth_text = _cell(item.get(BIRTH_HEADER))
    try:
        birth_date: datetime.date | None = rocdate.parse_roc(birth_text)
    except rocdate.RocDateError:
        birth_date = None
    sheets: dict[str, list[dict[str, str]]] = {}
    for key, rows in item.items():
        if key in (ID_HEADER, BIRTH_HEADER):
            continue
        if rows is None:
            rows = []
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ServiceError(
                _("%(file)s, student %(index)d: sheet “%(sheet)s” is not a list of rows.")
                % {"file": name, "index": index, "sheet": key},
                field="upload",
            )
        definition = receipt_sheet(category, str(key))
        sheet_name = definition.name if definition else str(key)
        aliases = definition.aliases if definition else {}
        sheets.setdefault(sheet_name, []).extend(
            {aliases.get(str(h), str(h)): _cell(v) for h, v in row.items()} for row in rows
        )
    return Entry(category, national_id, birth_date, birth_text, sheets)
