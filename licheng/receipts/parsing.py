"""Reading a receipt ZIP (收訖明細): password-protected (AES or ZipCrypto), one JSON file per
category and ``SHA.txt`` (CSV: file name, SHA-256).

Order matters: every file's hash is checked against ``SHA.txt`` before any JSON is parsed, and the
whole file is checked before anything is stored. Every refusal is a ``ServiceError`` with a message
the registry can act on.

JSON shape (DOMAIN.md §7)::

    {"名冊資訊": {"學校代碼": "111111", "學年度": "114", "學期": "1", "名冊別": "26"},
     "<category>": [{"身分證號": "A123456789", "出生日期": "0950101", "<sheet>": [{header: value, …}]}]}
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
from licheng.submissions.rosters import BIRTH_HEADER, ID_HEADER, RECEIPT_CATEGORIES

SHA_FILE = "SHA.txt"
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
    info: dict[str, str]
    categories: list[str]
    entries: list[Entry]


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


def _sha_lines(text: str) -> dict[str, str]:
    listed: dict[str, str] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in row if cell.strip()]
        if not cells:
            continue
        if len(cells) != 2 or not _HEX64.match(cells[1]):
            if number == 1 and not any(_HEX64.match(cell) for cell in cells):
                continue  # a header row
            raise ServiceError(
                _("Line %(line)d of SHA.txt is not “file name, SHA-256”.") % {"line": number}, field="upload"
            )
        listed[cells[0]] = cells[1].lower()
    return listed


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


def parse_receipt(content: bytes, password: str) -> ParsedReceipt:
    archive = _open(content, password)
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    if SHA_FILE not in names:
        raise ServiceError(_("The receipt ZIP has no SHA.txt."), field="upload")
    listed = _sha_lines(_read(archive, SHA_FILE).decode("utf-8-sig", errors="replace"))
    data_names = [name for name in names if name != SHA_FILE]
    if not data_names:
        raise ServiceError(_("The receipt ZIP holds no category files."), field="upload")
    # 1. Every hash, before reading any JSON.
    contents: dict[str, bytes] = {}
    for name in data_names:
        if name not in listed:
            raise ServiceError(_("%(file)s is not listed in SHA.txt.") % {"file": name}, field="upload")
        data = _read(archive, name)
        if hashlib.sha256(data).hexdigest() != listed[name]:
            raise ServiceError(
                _("%(file)s does not match its SHA-256 in SHA.txt: the file was changed or damaged.") % {"file": name},
                field="upload",
            )
        contents[name] = data
    missing = sorted(set(listed) - set(data_names))
    if missing:
        raise ServiceError(
            _("SHA.txt lists files that are not in the ZIP: %(files)s.") % {"files": ", ".join(missing)},
            field="upload",
        )
    # 2. Then the JSON.
    info: dict[str, str] | None = None
    categories: list[str] = []
    entries: list[Entry] = []
    for name in sorted(contents):
        document = _decode(contents[name], name)
        if not isinstance(document, dict) or not isinstance(document.get(INFO_KEY), dict):
            raise _shape_error(name)
        keys = [key for key in document if key != INFO_KEY]
        if len(keys) != 1:
            raise _shape_error(name)
        category = keys[0]
        if category not in RECEIPT_CATEGORIES:
            raise ServiceError(
                _("%(file)s holds the unknown category “%(category)s”; expected one of %(known)s.")
                % {"file": name, "category": category, "known": "、".join(RECEIPT_CATEGORIES)},
                field="upload",
            )
        if category in categories:
            raise ServiceError(
                _("The category “%(category)s” appears in more than one file.") % {"category": category},
                field="upload",
            )
        categories.append(category)
        file_info = {str(k): str(v).strip() for k, v in document[INFO_KEY].items()}
        if info is None:
            info = file_info
        elif (file_info.get("學校代碼"), file_info.get("學年度")) != (info.get("學校代碼"), info.get("學年度")):
            raise ServiceError(_("The files of this receipt are for different schools or years."), field="upload")
        students = document[category]
        if not isinstance(students, list):
            raise _shape_error(name)
        seen: set[str] = set()
        for index, item in enumerate(students, start=1):
            entries.append(_entry(name, category, index, item, seen))
    assert info is not None
    return ParsedReceipt(info=info, categories=categories, entries=entries)


def _entry(name: str, category: str, index: int, item: Any, seen: set[str]) -> Entry:
    if not isinstance(item, dict) or not isinstance(item.get(ID_HEADER), str):
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
    birth_text = str(item.get(BIRTH_HEADER, "")).strip()
    try:
        birth_date: datetime.date | None = rocdate.parse_roc(birth_text)
    except rocdate.RocDateError:
        birth_date = None
    sheets: dict[str, list[dict[str, str]]] = {}
    for key, rows in item.items():
        if key in (ID_HEADER, BIRTH_HEADER):
            continue
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ServiceError(
                _("%(file)s, student %(index)d: sheet “%(sheet)s” is not a list of rows.")
                % {"file": name, "index": index, "sheet": key},
                field="upload",
            )
        sheets[str(key)] = [{str(h): "" if v is None else str(v) for h, v in row.items()} for row in rows]
    return Entry(category, national_id, birth_date, birth_text, sheets)
