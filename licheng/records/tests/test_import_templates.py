"""Import templates carry an example row and a note per column (112-1, 1/0, the variant values),
and their first sheet still imports back (header only)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from licheng.records import importers
from licheng.testing.clients import client_in
from licheng.testing.factories import make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db

# The profiles import keeps its own template (it is being extended elsewhere).
KINDS = [kind for kind in importers.RECORD_TYPES if kind != "profiles"]


def _template(client: object, kind: str) -> openpyxl.Workbook:
    response = client.get(reverse("records:import_template", args=[kind]))  # type: ignore[attr-defined]
    assert response.status_code == 200, kind
    return openpyxl.load_workbook(io.BytesIO(response.content))


@pytest.mark.parametrize("kind", KINDS)
def test_every_template_has_an_example_row_and_notes(personas: Personas, kind: str) -> None:
    staff = make_staff(personas.school, "school_admin", username="templates")
    workbook = _template(client_in("zh-hant", staff), kind)
    headers = [c.header for c in importers.RECORD_TYPES[kind].columns]
    data, notes = workbook.worksheets
    assert [list(row) for row in data.iter_rows(values_only=True)] == [headers]  # imports back as it is
    rows = [list(row) for row in notes.iter_rows(values_only=True)]
    assert notes.title == "填寫說明"
    assert rows[1] == headers
    example = rows[2]
    assert len(example) == len(headers) and any(example)
    table = {row[0]: row[1:] for row in rows[5:]}
    assert list(table) == headers
    assert all(table[header][0] for header in headers)  # required or not, for every column


def test_the_grades_template_explains_terms_yes_no_and_variants(personas: Personas) -> None:
    workbook = _template(client_in("zh-hant", personas.registry), "grades")
    rows = [list(row) for row in workbook.worksheets[1].iter_rows(values_only=True)]
    example = dict(zip(rows[1], rows[2], strict=True))
    assert example["學年期"] == "114-1" and example["學號"] == "1140001"
    assert example["課程代碼"] == "114123456A1101010000000" and example["是否及格"] == "1"
    notes = {row[0]: row[2] for row in rows[5:]}
    assert "112-1" in notes["學年期"]
    assert "1" in notes["是否及格"] and "0" in notes["是否及格"]
    for variant in ("補修", "重修", "重讀", "轉學轉科"):
        assert variant in notes["修課類別"]
    assert "23" in notes["課程代碼"]
