"""The homeroom teacher's "which teacher has not certified" report for their own class (page and XLSX)."""

from __future__ import annotations

import io

import openpyxl
from django.test import Client

from licheng.portfolio.tests.conftest import make_outcome
from licheng.testing.factories import SchoolClassFactory, StudentFactory, enrol, make_staff
from licheng.testing.personas import Personas


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_homeroom_teacher_sees_who_has_not_certified_their_class(personas: Personas) -> None:
    p = personas
    make_outcome(p.student, p.course)  # 101's student, waiting for 李老師
    # another class's student in the other teacher's course: not on 101's homeroom teacher's report
    other_class = SchoolClassFactory.create(school=p.school, name="102", homeroom_teacher=make_staff(p.school))
    stranger = StudentFactory.create(school_class=other_class)
    enrol(p.other_course, stranger)
    make_outcome(stranger, p.other_course)

    client = _client(p.homeroom_teacher)
    page = client.get("/progress/my-class/").content.decode()
    assert "李老師" in page and "國文 101 (1)" in page
    assert "張老師" not in page and "物理" not in page

    # the menu offers the report to the homeroom teacher, the XLSX has the same rows
    assert 'href="/progress/my-class/"' in page
    response = client.get(f"/progress/my-class/{p.term.pk}/uncertified.xlsx")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert any(row[:3] == ("李老師", "國文 101", 1) for row in rows), rows
    assert not any("張老師" in str(row) for row in rows)


def test_a_subject_teacher_who_is_no_homeroom_teacher_is_refused(personas: Personas) -> None:
    assert _client(personas.subject_teacher).get("/progress/my-class/").status_code == 403
