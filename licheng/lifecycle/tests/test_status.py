"""Status changes (學籍異動) through the registry's pages: what each changes for the student, the
submission tags, the history, and sealing (a sealed portfolio is read, never changed)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from licheng.audit.models import AuditEntry
from licheng.core.errors import ServiceError
from licheng.files.tests import corpus
from licheng.lifecycle.models import StatusChange
from licheng.lifecycle.selectors import ensure_may_upload, submission_tags, submission_tags_for
from licheng.people.models import Student
from licheng.portfolio.models import CourseOutcome
from licheng.testing.clients import client_in
from licheng.testing.factories import StudentFactory
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def change(p: Personas, kind: str, user: Any = None, *, confirmed: bool = True, **fields: str) -> Any:
    """Post a change as the registry's page does; a sealing change is confirmed unless told not to."""
    client = client_in("en", user or p.registry)
    data = {f"{kind}-{key}": value for key, value in fields.items()}
    if confirmed:
        data["confirmed"] = "1"
    return client.post(reverse("lifecycle:change", args=[p.student.pk, kind]), data, follow=True)


def page_text(response: Any) -> str:
    return response.content.decode()


def test_suspension_stops_uploads_until_the_student_resumes(personas: Personas) -> None:
    p = personas
    response = change(p, "suspend", effective_on="114.10.01", note="家庭因素")
    assert "Status change recorded" in page_text(response)
    p.student.refresh_from_db()
    assert p.student.status == "suspended" and p.student.sealed_at is None
    with pytest.raises(ServiceError, match="nothing can be added"):
        ensure_may_upload(p.student)
    tags = submission_tags(p.student)
    assert not tags.submitted
    change(p, "resume", effective_on="115.02.01")
    p.student.refresh_from_db()
    assert p.student.status == "enrolled"
    ensure_may_upload(p.student)
    history = list(StatusChange.objects.filter(student=p.student).values_list("kind", "status_before", "status_after"))
    assert history == [("suspend", "enrolled", "suspended"), ("resume", "suspended", "enrolled")]
    assert AuditEntry.objects.filter(action__in=["lifecycle.suspend", "lifecycle.resume"]).count() == 2
    page = page_text(client_in("en", p.registry).get(reverse("lifecycle:student", args=[p.student.pk])))
    assert "家庭因素" in page and "114.10.01" in page


def test_visiting_study_tags_the_terms_with_the_host_school(personas: Personas) -> None:
    p = personas
    response = change(p, "visiting", other_school_code="12345", starts_on="114.09.01", ends_on="114.12.31")
    assert "A school code is exactly 6 digits." in page_text(response)
    response = change(p, "visiting", other_school_code="333333", starts_on="114.12.31", ends_on="114.09.01")
    assert "must end on or after the day it starts" in page_text(response)
    assert StatusChange.objects.count() == 0
    p.student.refresh_from_db()
    assert p.student.status == "enrolled"

    change(
        p,
        "visiting",
        other_school_code="333333",
        other_school_name="丙高中",
        starts_on="114.09.01",
        ends_on="114.12.31",
    )
    p.student.refresh_from_db()
    assert p.student.status == "visiting"
    ensure_may_upload(p.student)  # they keep uploading here
    tags = submission_tags(p.student)
    visit = tags.visiting_on(datetime.date(2025, 10, 1))
    assert visit is not None and visit.host_school_code == "333333"
    assert tags.variants_for(academic_year=114, day=visit.starts_on) == {"visiting"}
    change(p, "visiting_end", effective_on="115.01.01")
    p.student.refresh_from_db()
    assert p.student.status == "enrolled"


def test_repeat_year_flags_that_years_records(personas: Personas) -> None:
    p = personas
    response = change(p, "repeat", effective_on="115.08.01", repeated_year="5")
    assert "Enter the academic year that is repeated" in page_text(response)
    change(p, "repeat", effective_on="115.08.01", repeated_year="114")
    tags = submission_tags(p.student)
    assert tags.repeat_years == (114,)
    assert tags.variants_for(academic_year=114) == {"repeat"} and tags.variants_for(academic_year=115) == set()


def test_graduation_seals_the_portfolio_for_good(personas: Personas, storage_root: Path) -> None:
    p = personas
    change(p, "graduate", effective_on="115.06.15")
    p.student.refresh_from_db()
    assert p.student.status == "graduated" and p.student.sealed_at is not None
    # No further change: the registry is told why, nothing moves.
    response = change(p, "leave", effective_on="115.07.01")
    assert "portfolio is sealed" in page_text(response)
    p.student.refresh_from_db()
    assert p.student.status == "graduated" and StatusChange.objects.count() == 1
    # The student's own upload is refused by the portfolio's page, and nothing is stored.
    p.term.upload_opens_on = timezone.localdate() - datetime.timedelta(days=1)
    p.term.upload_closes_on = timezone.localdate() + datetime.timedelta(days=5)
    p.term.save()
    response = client_in("en", p.student_user).post(
        reverse("portfolio:my_outcomes"),
        {
            "course": p.course.pk,
            "description": "畢業後補交",
            "files": [SimpleUploadedFile("a.pdf", corpus.pdf(), content_type="application/pdf")],
        },
    )
    assert "portfolio is sealed" in page_text(response)
    assert CourseOutcome.objects.count() == 0
    # Still readable by those allowed.
    assert client_in("en", p.student_user).get(reverse("portfolio:my_outcomes")).status_code == 200
    assert client_in("en", p.registry).get(reverse("people:student_detail", args=[p.student.pk])).status_code == 200


def test_leaving_and_transfer_out_seal_and_only_the_registry_records_changes(personas: Personas) -> None:
    p = personas
    assert change(p, "leave", user=p.homeroom_teacher, effective_on="115.03.01").status_code == 403
    assert change(p, "leave", user=p.student_user, effective_on="115.03.01").status_code == 403
    response = change(p, "leave", effective_on="")
    assert "Enter the date of the change." in page_text(response)
    change(p, "leave", effective_on="115.03.01")
    p.student.refresh_from_db()
    assert p.student.status == "left" and p.student.sealed_at is not None
    assert not submission_tags(p.student).submitted
    # a change that does not fit the status is refused with a message
    other = StudentFactory.create(school_class=p.school_class)
    response = client_in("en", p.registry).post(
        reverse("lifecycle:change", args=[other.pk, "resume"]), {"resume-effective_on": "115.03.01"}, follow=True
    )
    assert "cannot be recorded for a student whose status is" in page_text(response)


def test_tags_for_many_students_take_one_query(personas: Personas, django_assert_max_num_queries: Any) -> None:
    p = personas
    students = [p.student, *StudentFactory.create_batch(20, school_class=p.school_class)]
    for student in students[:10]:
        StatusChange.objects.create(
            school=p.school,
            student=student,
            kind="repeat",
            effective_on=timezone.localdate(),
            status_after="enrolled",
            repeated_year=114,
        )
    students = list(Student.objects.filter(school=p.school))
    with django_assert_max_num_queries(1):  # the status changes of every student
        tags = submission_tags_for(students)
    assert sum(1 for t in tags.values() if t.repeat_years == (114,)) == 10


def test_index_page_lists_changes_with_bounded_queries(personas: Personas, django_assert_max_num_queries: Any) -> None:
    p = personas
    client = client_in("en", p.registry)
    change(p, "suspend", effective_on="114.10.01")
    for student in StudentFactory.create_batch(15, school_class=p.school_class):
        StatusChange.objects.create(
            school=p.school,
            student=student,
            kind="suspend",
            effective_on=timezone.localdate(),
            status_after="suspended",
        )
    # session, user, roles, permissions, changes, packages, plus the site menu's reads
    with django_assert_max_num_queries(14):
        response = client.get(reverse("lifecycle:index"))
    assert response.status_code == 200 and page_text(response).count("Suspension") >= 16
    found = page_text(client.get(reverse("lifecycle:index"), {"q": p.student.student_number}))
    assert reverse("lifecycle:student", args=[p.student.pk]) in found


def test_demo_data_is_idempotent(personas: Personas) -> None:
    from licheng.lifecycle.demo import add_demo_data
    from licheng.lifecycle.models import LegalHold

    today = timezone.localdate()
    add_demo_data(personas.school, today=today)
    add_demo_data(personas.school, today=today)
    graduates = Student.objects.filter(school=personas.school, status="graduated")
    assert graduates.count() == 4 and all(s.sealed_at for s in graduates)
    assert LegalHold.objects.filter(school=personas.school, released_at=None).count() == 1


def test_pages_read_in_traditional_chinese(personas: Personas) -> None:
    p = personas
    client = client_in("zh-hant", p.registry)
    page = client.get(reverse("lifecycle:student", args=[p.student.pk])).content.decode()
    assert "登錄學籍異動" in page and "休學" in page
    assert "封存與保存期限" in client.get(reverse("lifecycle:retention")).content.decode()
    assert "辦理學生轉入" in client.get(reverse("lifecycle:transfer_in")).content.decode()


def test_visiting_study_holds_the_host_codes_of_the_roster(personas: Personas) -> None:
    p = personas
    url = reverse("lifecycle:student", args=[p.student.pk])
    dates = {"other_school_code": "333333", "starts_on": "114.09.01", "ends_on": "114.12.31"}

    def visiting(**codes: str) -> Any:
        fields: dict[str, Any] = {**dates, **codes}
        return change(p, "visiting", **fields)

    form = client_in("zh-hant", p.registry).get(url)
    assert 'name="visiting-visiting_code"' in page_text(form) and "借讀科班學程別" in page_text(form)
    response = visiting(visiting_group_code="2-1", visiting_code="AB12")
    assert "Write a code of up to 4 digits or letters, not “2-1”." in page_text(response)
    assert StatusChange.objects.count() == 0
    visiting(visiting_group_code="21", visiting_programme_code="301", visiting_code="ab12")
    visit = StatusChange.objects.get(kind="visiting")
    assert (visit.visiting_group_code, visit.visiting_programme_code, visit.visiting_code) == ("21", "301", "AB12")
    page = client_in("zh-hant", p.registry).get(url).content.decode()
    assert "群別 21" in page and "借讀科班學程別 301" in page and "借讀代碼 AB12" in page
