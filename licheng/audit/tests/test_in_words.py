"""Audit entries say what changed, and pages show them in words (issue 13, finding 5; issue 14).

A grade edited from 80/passed to 59/not passed used to record only its course code; an import that
changed a grade recorded only counts and the grade's history showed nothing; pages showed raw
codes (``account.login``, ``status enrolled→graduated``, ``principal 6``, a hold as "46:").
"""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.urls import reverse

from licheng.audit.models import AuditEntry, AuditRowChange
from licheng.audit.services import Actor, record, rows_digest
from licheng.people import services as people_services
from licheng.records.models import Grade, ImportBatch
from licheng.records.tests.conftest import CODE, GRADE_HEADER, grade_row, upload, xlsx
from licheng.testing.personas import Personas

GRADE = {
    "student_number": "",
    "term": "114-1",
    "variant": "regular",
    "course_code": CODE,
    "subject_name": "國文",
    "grade_level": 10,
    "credits": 4,
    "score": "80",
    "passed": "true",
}


def _registry(p: Personas) -> Client:
    client = Client()
    client.force_login(p.registry)
    return client


def _history(client: Client, obj: Any) -> str:
    url = reverse("audit:object_history", args=[obj._meta.label_lower, str(obj.pk)])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_edited_grade_records_each_changed_field_before_and_after(personas: Personas) -> None:
    client = _registry(personas)
    data = {**GRADE, "student_number": personas.student.student_number}
    assert client.post(reverse("records:grade_create"), data).status_code == 302
    grade = Grade.objects.get()
    created = AuditEntry.objects.get(action="records.grade_created")
    assert created.changes["score"] == [None, "80.00"] or created.changes["score"] == [None, "80"]
    response = client.post(reverse("records:grade_edit", args=[grade.pk]), {**data, "score": "59", "passed": "false"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="records.grade_updated")
    assert set(entry.changes) == {"score", "passed"}
    assert entry.changes["passed"] == [True, False]
    assert [float(v) for v in entry.changes["score"]] == [80.0, 59.0]
    page = _history(client, grade)
    assert "修改成績" in page and "records.grade_updated" not in page.replace('title="records.grade_updated"', "")
    assert "<td>是</td><td>否</td>" in page.replace("\n", "")


def test_an_import_that_changes_a_grade_shows_the_change_in_the_grades_history(personas: Personas) -> None:
    client = _registry(personas)
    number = personas.student.student_number
    start = reverse("records:import_start", kwargs={"kind": "grades"})

    def run(score: int) -> None:
        client.post(start, {"file": upload("g.xlsx", xlsx([GRADE_HEADER, grade_row(number, score=score)]))})
        latest = ImportBatch.objects.order_by("-pk").first()
        assert latest is not None
        client.post(reverse("records:import_apply", kwargs={"kind": "grades", "pk": latest.pk}))

    run(80)
    run(59)
    grade = Grade.objects.get()
    assert grade.score is not None and float(grade.score) == 59.0
    entry = AuditEntry.objects.filter(action="records.import_applied").order_by("-pk").first()
    assert entry is not None and entry.changes["row_changes"] == 1
    row = AuditRowChange.objects.get(entry=entry)
    assert (row.object_type, row.object_id) == ("records.grade", str(grade.pk))
    assert [float(v) for v in row.changes["score"]] == [80.0, 59.0]
    # The chain covers the rows: the entry carries their digest.
    values = [
        {"object_type": r.object_type, "object_id": r.object_id, "object_repr": r.object_repr, "changes": r.changes}
        for r in entry.row_changes.all()
    ]
    assert entry.changes["row_changes_sha256"] == rows_digest(values)
    page = _history(client, grade)
    assert "匯入紀錄" in page and "80" in page and "59" in page


def test_a_changed_national_id_is_recorded_masked_before_and_after(personas: Personas) -> None:
    student = personas.student
    old = student.national_id
    new = "A123456789" if old != "A123456789" else "B123456780"
    people_services.student_update(actor=Actor(user=personas.registry), student=student, national_id=new)
    entry = AuditEntry.objects.get(action="student.update")
    before, after = entry.changes["national_id"]
    assert old not in str(entry.changes) and new not in str(entry.changes)
    assert before.startswith(old[:1]) and after.startswith(new[:1]) and "*" in before + after


def test_the_activity_page_shows_actions_values_and_people_in_words(personas: Personas) -> None:
    p = personas
    school = p.school
    record(actor=Actor(user=p.registry), school=school, action="account.login", obj=p.registry)
    record(
        actor=Actor(user=p.registry),
        school=school,
        action="lifecycle.graduate",
        obj=p.student,
        changes={"status": ["enrolled", "graduated"]},
    )
    from licheng.people.models import ProxyAssignment

    assignment = ProxyAssignment.objects.create(
        school=school,
        principal=p.subject_teacher,
        proxy=p.other_teacher,
        duty="certify_course",
        course=p.course,
        order=1,
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 1, 31),
    )
    record(
        actor=Actor(user=p.school_admin),
        school=school,
        action="proxy.assign",
        obj=assignment,
        changes={"principal": p.subject_teacher.pk, "starts_on": datetime.date(2025, 9, 1).isoformat()},
    )
    page = _registry(p).get(reverse("audit:activity")).content.decode()
    for code in ("<code>account.login</code>", "enrolled", "principal"):
        assert code not in page, code
    assert "登入" in page
    assert "在學" in page and "畢業" in page  # the status choices by their labels
    assert "指派代理人" in page and p.subject_teacher.name in page
    assert "114.09.01" in page  # dates in ROC form


def test_verify_audit_notices_a_changed_row_change(personas: Personas) -> None:
    from licheng.audit.services import RowChange, verify_chains

    entry = record(
        actor=Actor(user=personas.registry),
        school=personas.school,
        action="records.import_applied",
        obj=personas.student,
        changes={"updated": 1},
        rows=[RowChange(personas.student, {"seat": [1, 2]})],
    )
    assert verify_chains()[1] == []
    # Bypass the append-only model, as someone editing the database would.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrowchange SET changes = %s", ['{"seat": [1, 3]}'])
    problems = verify_chains()[1]
    assert [p.entry_id for p in problems] == [entry.pk]


def test_a_stored_label_where_a_record_is_expected_reads_as_it_is(personas: Personas) -> None:
    from licheng.audit import words

    assert words.value_words(Grade, "student", "114-1") == "114-1"
    assert words.value_words(Grade, "student", personas.student.pk) == str(personas.student)
