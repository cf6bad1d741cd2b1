"""Progress dashboards: the numbers, the charts with their tables, exports, and a constant number
of queries as the school grows."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from licheng.audit.services import Actor
from licheng.progress.data import UPLOADS, series_data
from licheng.progress.tests.conftest import grow
from licheng.schedule import services as schedule_services
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def _window(p: Personas) -> None:
    today = timezone.localdate()
    for kind in ("upload", "certification", "selection"):
        schedule_services.schedule_entry_create(
            actor=Actor(user=p.registry),
            term=p.term,
            work_item=kind,
            starts_on=today - datetime.timedelta(days=5),
            ends_on=today + datetime.timedelta(days=5),
        )


def test_dashboard_shows_counts_charts_with_the_deadline_and_tables(personas: Personas) -> None:
    p = personas
    _window(p)
    grow(p, 12, classes=3)
    page = client_in("en", p.registry).get(reverse("progress:dashboard")).content.decode()
    # 13 enrolled students (12 + the persona), 12 uploaded; 6 of 12 outcomes certified; 3 selected.
    assert "12 of 13 students done." in page
    assert "6 of 12 course outcomes done." in page
    assert "3 of 13 students done." in page
    assert page.count("<svg") == 3 and "Deadline" in page and 'role="img"' in page
    assert "Data table of the chart" in page
    assert "Grade 10" in page
    # Uncertified by teacher: the course's teacher has 6 waiting.
    assert "Awaiting certification, by teacher" in page and "李老師" in page
    by_class = client_in("en", p.registry).get(reverse("progress:dashboard") + "?by=class").content.decode()
    assert "B" in by_class and "101" in by_class
    by_course = client_in("en", p.registry).get(reverse("progress:dashboard") + "?by=course").content.decode()
    assert "國文" in by_course


def test_series_counts_by_grade(personas: Personas) -> None:
    p = personas
    _window(p)
    grow(p, 9, classes=3)
    data = series_data(UPLOADS, p.term, "grade")
    by_label = {label: (done, total) for label, done, total in data.groups}
    assert next(v for k, v in by_label.items() if "高一" in k) == (3, 4)  # 3 uploaded of 3 + the persona
    assert data.deadline == timezone.localdate() + datetime.timedelta(days=5)
    assert data.cumulative[-1] == 9


def test_exports_are_xlsx(personas: Personas) -> None:
    p = personas
    _window(p)
    grow(p, 6, classes=2)
    client = client_in("en", p.registry)
    response = client.get(reverse("progress:dashboard_export", args=[p.term.pk]) + "?by=class")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("項目", "群組", "已完成", "應完成")
    assert len(rows) > 3
    response = client.get(reverse("progress:uncertified_export", args=[p.term.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "李老師" and rows[1][2] == 3


def test_teachers_cannot_see_dashboards(personas: Personas) -> None:
    assert client_in("en", personas.subject_teacher).get(reverse("progress:dashboard")).status_code == 403


@pytest.mark.parametrize("grouping", ["grade", "class", "course"])
def test_dashboard_queries_stay_constant_from_300_to_3000_students(
    personas: Personas, django_assert_max_num_queries: object, grouping: str
) -> None:
    p = personas
    _window(p)
    client = client_in("en", p.registry)
    url = reverse("progress:dashboard") + f"?by={grouping}"
    grow(p, 300, classes=10)
    client.get(url)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(p, 2700, classes=80)
    with django_assert_max_num_queries(len(small.captured_queries)):  # type: ignore[operator]
        page = client.get(url).content.decode()
    # Four series (uploads, certification, selection, receipts), each: what is done, the totals and its
    # deadline; plus the request itself (session, user with school, roles, permissions), terms and groups.
    assert len(small.captured_queries) <= 28, len(small.captured_queries)
    assert "3000 of 3001 students done." in page


def test_receipt_confirmations_are_charted_once_a_receipt_is_in(personas: Personas) -> None:
    from licheng.people.models import Student
    from licheng.receipts.models import ConfirmationStatus, ReceiptImport, StudentReceipt

    p = personas
    _window(p)
    grow(p, 3, classes=1)
    today = timezone.localdate()
    receipt = ReceiptImport.objects.create(
        school=p.school,
        term=p.term,
        file_name="receipt.zip",
        sha256="0" * 64,
        imported_by=p.registry,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=3),
    )
    students = list(Student.objects.filter(school=p.school)[:2])
    for student, status in zip(students, (ConfirmationStatus.CONFIRMED, ConfirmationStatus.PENDING), strict=True):
        StudentReceipt.objects.create(
            school=p.school,
            receipt=receipt,
            student=student,
            status=status,
            answered_at=timezone.now() if status == ConfirmationStatus.CONFIRMED else None,
        )
    page = client_in("en", p.registry).get(reverse("progress:dashboard")).content.decode()
    assert "Receipts confirmed" in page
    assert "1 of 2 students done." in page
