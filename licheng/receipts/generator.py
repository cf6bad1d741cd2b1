"""Receipt ZIPs as the central database returns them (FORMATS.md §2), generated from a submission snapshot.

For the test suite, the browser test and the demo (the central database is not reachable from here):
one UTF-8 JSON file per category named for its category (with a BOM by default; 名冊資訊 as a list of
{名稱, SHA}; worksheets under the receipt's names, empty ones ``null``), ``SHA.txt``, encrypted with AES (pyzipper)
or with the traditional ZipCrypto (written here: pyzipper only reads it). Options make the bad
inputs the importer must refuse.
"""

from __future__ import annotations

import binascii
import hashlib
import io
import json
import os
import struct
import zlib
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django_scopes import scopes_disabled

from licheng.submissions import rosters as R

YEARLY_CATEGORIES = {R.CATEGORY_OUTCOMES, R.CATEGORY_PERFORMANCES}


def category_file_name(submission: Any, category: str) -> str:
    """A file name that names its category, as the central database's do."""
    term = submission.term
    number = 0 if category in YEARLY_CATEGORIES else term.number
    return f"{submission.school.code}_{term.academic_year.year}{number}_{category}收訖明細.json"


def _as_received(category: str, sheet: str, row: dict[str, str], receipt_names: bool) -> dict[str, str]:
    """A sent row as the receipt returns it: only the fields the receipt carries, under the
    receipt's own names (競賽等級 for 競賽等級代碼, …) when ``receipt_names``."""
    definition = R.receipt_sheet(category, sheet)
    if definition is None:
        return dict(row)
    back = {roster: alias for alias, roster in definition.aliases.items()} if receipt_names else {}
    return {back.get(field, field): row.get(field, "") for field in definition.fields}


def _receipt_sheet_name(roster_code: str, sheet: str) -> str:
    for definition in R.ROSTERS[roster_code].sheets:
        if definition.name == sheet:
            return definition.receipt_name or sheet
    return sheet


def receipt_documents(submission: Any, *, receipt_names: bool = True) -> dict[str, dict[str, Any]]:
    """Category → the JSON document of everything the snapshot sent in that category, in the public
    layout (FORMATS.md §2.4): 名冊資訊 as a list of the rosters' file names and hashes, the
    category's students with their worksheets; a worksheet with no rows is ``null``."""
    from licheng.submissions.models import SubmittedRecord, SubmittedRoster

    with scopes_disabled():
        records = (
            SubmittedRecord.objects.filter(submission=submission)
            .exclude(category="")
            .select_related("student")
            .order_by("student_id", "roster_code")
        )
        rosters = list(SubmittedRoster.objects.filter(submission=submission).select_related("stored_file"))
        merged: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        for record in records:
            student = record.student
            item = merged[record.category].setdefault(
                student.pk, {R.ID_HEADER: student.national_id, R.BIRTH_HEADER: R.roc7(student.birth_date)}
            )
            for sheet, rows in record.sheets.items():
                name = _receipt_sheet_name(record.roster_code, sheet)
                received = [_as_received(record.category, sheet, row, receipt_names) for row in rows]
                item[name] = (item.get(name) or []) + received
        documents = {}
        for category, students in merged.items():
            for item in students.values():
                for key, rows in item.items():
                    if isinstance(rows, list) and not rows:
                        item[key] = None
            info = [
                {"名稱": r.file_name, "SHA": r.stored_file.sha256}
                for r in rosters
                if R.ROSTERS[r.code].category == category
            ]
            documents[category] = {"名冊資訊": info, category: list(students.values())}
    return documents


def receipt_from_rosters(submission: Any) -> dict[str, dict[str, Any]]:
    """Category → JSON document built the way the central database builds its receipt: from the
    roster workbooks themselves (read back with openpyxl), not from our stored rows. 出生日期 comes
    from roster 1, fields and worksheets take the receipt's names."""
    import openpyxl

    from licheng.files.services import file_open
    from licheng.submissions.models import SubmittedRoster

    with scopes_disabled():
        rosters = list(SubmittedRoster.objects.filter(submission=submission).select_related("stored_file"))
        books = {}
        for roster in rosters:
            with file_open(roster.stored_file) as handle:
                books[roster] = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    births: dict[str, str] = {}
    for roster, book in books.items():
        if roster.code == "1":
            rows = book["學生資料"].iter_rows(values_only=True)
            header = next(rows)
            for row in rows:
                births[row[0]] = row[header.index(R.BIRTH_HEADER)]
    documents: dict[str, dict[str, Any]] = {}
    for roster, book in books.items():
        category = R.ROSTERS[roster.code].category
        if not category:
            continue
        document = documents.setdefault(category, {"名冊資訊": [], category: []})
        document["名冊資訊"].append({"名稱": roster.file_name, "SHA": roster.stored_file.sha256})
        students: dict[str, dict[str, Any]] = {s[R.ID_HEADER]: s for s in document[category]}
        for sheet in R.ROSTERS[roster.code].sheets:
            rows = book[sheet.name].iter_rows(values_only=True)
            header = next(rows)
            for row in rows:
                cells = {h: "" if v is None else str(v) for h, v in zip(header, row, strict=False)}
                nid = cells.pop(R.ID_HEADER)
                item = students.setdefault(nid, {R.ID_HEADER: nid, R.BIRTH_HEADER: births.get(nid, "")})
                name = sheet.receipt_name or sheet.name
                item[name] = (item.get(name) or []) + [_as_received(category, sheet.name, cells, True)]
        document[category] = list(students.values())
    return documents


def encode(document: Any, *, bom: bool = True) -> bytes:
    data = json.dumps(document, ensure_ascii=False, indent=1).encode()
    return (b"\xef\xbb\xbf" + data) if bom else data


def sha_text(files: dict[str, bytes], *, hash_first: bool = False, header: bool = False) -> bytes:
    """SHA.txt: a line per file, ``name,hash`` (or ``hash,name``), perhaps under a header line."""
    lines = ["SHA256,檔名" if hash_first else "檔名,SHA256"] if header else []
    for name, data in files.items():
        digest = hashlib.sha256(data).hexdigest()
        lines.append(f"{digest},{name}" if hash_first else f"{name},{digest}")
    return "".join(f"{line}\r\n" for line in lines).encode()


def build_zip(files: dict[str, bytes], password: str, *, encryption: str = "aes") -> bytes:
    if encryption == "aes":
        import pyzipper

        buffer = io.BytesIO()
        with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
            zf.setpassword(password.encode())
            for name, data in files.items():
                zf.writestr(name, data)
        return buffer.getvalue()
    if encryption == "zipcrypto":
        return zipcrypto_zip(files, password)
    raise ValueError(encryption)


def receipt_zip(
    submission: Any,
    password: str,
    *,
    encryption: str = "aes",
    bom: bool = True,
    edit: Callable[[dict[str, dict[str, Any]]], None] | None = None,
    after_hashing: Callable[[dict[str, bytes]], None] | None = None,
    sha_name: str = "SHA.txt",
    hash_first: bool = False,
    sha_header: bool = False,
    receipt_names: bool = True,
    from_rosters: bool = False,
) -> bytes:
    """The receipt of ``submission``. ``edit`` changes the documents before they are written (a
    row lost by the central database, another term, a duplicate); ``after_hashing`` changes the
    files after SHA.txt was written (tampering)."""
    documents = (
        receipt_from_rosters(submission) if from_rosters else receipt_documents(submission, receipt_names=receipt_names)
    )
    if edit is not None:
        edit(documents)
    files = {category_file_name(submission, category): encode(doc, bom=bom) for category, doc in documents.items()}
    sha = sha_text(files, hash_first=hash_first, header=sha_header)
    if after_hashing is not None:
        after_hashing(files)
    return build_zip({**files, sha_name: sha}, password, encryption=encryption)


# --- traditional PKWARE encryption (ZipCrypto) ---------------------------------------------------


class _Keys:
    def __init__(self, password: bytes) -> None:
        self.k0, self.k1, self.k2 = 0x12345678, 0x23456789, 0x34567890
        for byte in password:
            self.update(byte)

    @staticmethod
    def _crc(value: int, byte: int) -> int:
        return (value >> 8) ^ _CRC_TABLE[(value ^ byte) & 0xFF]

    def update(self, byte: int) -> None:
        self.k0 = self._crc(self.k0, byte)
        self.k1 = (self.k1 + (self.k0 & 0xFF)) & 0xFFFFFFFF
        self.k1 = (self.k1 * 134775813 + 1) & 0xFFFFFFFF
        self.k2 = self._crc(self.k2, (self.k1 >> 24) & 0xFF)

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            temp = (self.k2 | 2) & 0xFFFF
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            self.update(byte)
        return bytes(out)


def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        value = i
        for _ in range(8):
            value = (value >> 1) ^ 0xEDB88320 if value & 1 else value >> 1
        table.append(value)
    return table


_CRC_TABLE = _crc_table()


def zipcrypto_zip(files: dict[str, bytes], password: str) -> bytes:
    """A ZIP whose entries are deflated and ZipCrypto-encrypted."""
    out = io.BytesIO()
    central = []
    for name, data in files.items():
        crc = binascii.crc32(data) & 0xFFFFFFFF
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        compressed = compressor.compress(data) + compressor.flush()
        keys = _Keys(password.encode())
        header = bytearray(os.urandom(11)) + bytes([crc >> 24])
        payload = keys.encrypt(bytes(header)) + keys.encrypt(compressed)
        encoded = name.encode()
        offset = out.tell()
        flags = 0x1 | 0x800  # encrypted, UTF-8 name
        out.write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, 0, 0x21, crc, len(payload), len(data), len(encoded), 0
            )
        )
        out.write(encoded)
        out.write(payload)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                flags,
                8,
                0,
                0x21,
                crc,
                len(payload),
                len(data),
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    size = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()
