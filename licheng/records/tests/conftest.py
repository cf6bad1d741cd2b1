"""Files and clients for the records tests: spreadsheets are generated here, never stored."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from licheng.testing.clients import client_in
from licheng.testing.personas import Personas

CODE = "114123456A1101010000000"  # the personas' courses use this code
GRADE_HEADER = ["學號", "學年期", "課程代碼", "科目名稱", "開課年級", "學分數", "學期成績", "是否及格"]


def xlsx(rows: Sequence[Sequence[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def grade_row(number: str, term: str = "114-1", code: str = CODE, score: Any = 85, subject: str = "國文") -> list[Any]:
    return [number, term, code, subject, 10, 4, score, 1]


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def registry(personas: Personas) -> Client:
    return client_in("zh-hant", personas.registry)


@pytest.fixture
def registry_en(personas: Personas) -> Client:
    return client_in("en", personas.registry)


# The browser fixtures (Chromium through Playwright) live with the core tests.
from licheng.core.tests.conftest import chromium, desktop_page, phone_page, screenshot_dir  # noqa: E402, F401
