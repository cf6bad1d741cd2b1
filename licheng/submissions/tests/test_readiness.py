"""The readiness report: each problem named, counted and linked to where it is fixed."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse

from licheng.performances.models import Performance
from licheng.portfolio.models import CourseOutcomeVersion
from licheng.records.models import CadreRole, Grade
from licheng.schools.models import SchoolRules
from licheng.submissions.sample import add_student_data
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas


def page(p: Personas) -> str:
    response = client_in("en", p.registry).get(reverse("submissions:index"), {"term": p.term.pk})
    assert response.status_code == 200
    return response.content.decode()


def test_clean_term_is_ready(personas: Personas, storage_root: Path) -> None:
    p = personas
    add_student_data(p.student, p.term, p.course, verifier=p.registry, files=False)
    assert "No problems found" in page(p)


def test_each_problem_is_reported_with_a_link(personas: Personas, storage_root: Path) -> None:
    p = personas
    add_student_data(p.student, p.term, p.course, verifier=p.registry, files=False)
    CadreRole.objects.update(verified_at=None)
    CourseOutcomeVersion.objects.update(state="pending", description=" ")
    Grade.objects.filter(variant="regular").update(course_code="BAD-CODE")
    Performance.objects.update(description="")
    SchoolRules.objects.update_or_create(school=p.school, academic_year=None, defaults={"performances_selected": 0})
    type(p.student).objects.filter(pk=p.student.pk).update(national_id_cipher="")
    html = page(p)
    assert "No problems found" not in html
    student = p.student
    expected = {
        "has no national ID or birth date": reverse("people:student_edit", args=[student.pk]),
        "course code “BAD-CODE” of 國文 is not 23 letters and digits": reverse(
            "records:grade_edit", args=[Grade.objects.get(variant="regular").pk]
        ),
        "selected a course outcome of 國文 that is not certified": reverse(
            "portfolio:student_outcomes", args=[student.pk]
        ),
        "the course outcome of 國文 has no description": reverse("portfolio:student_outcomes", args=[student.pk]),
        "a selected performance has no description": reverse("performances:student", args=[student.pk]),
        "selected 1 performances; at most 0 may be submitted": reverse("performances:student", args=[student.pk]),
    }
    for message, url in expected.items():
        assert message in html, message
        assert f'<a href="{url}">' in html, url
    # the cadre roles are the activities section's page, which the registry may not open (403):
    # the problem is named without a link that would refuse them
    assert "has 1 cadre roles not yet verified" in html
    assert f'<a href="{reverse("records:cadre_roles")}">' not in html


def test_stored_report_shows_when_it_was_computed_and_recomputes_on_request(
    personas: Personas, storage_root: Path
) -> None:
    import datetime

    from django.utils import timezone

    from licheng.schools.templatetags.roc import roc_datetime
    from licheng.submissions.models import ReadinessReport

    p = personas
    add_student_data(p.student, p.term, p.course, verifier=p.registry, files=False)
    html = page(p)
    assert "No problems found" in html
    report = ReadinessReport.objects.get(school=p.school, term=p.term)
    assert f"Computed at {roc_datetime(report.computed_at)}" in html
    # a change in the inputs: the stored report says when it was computed, and shows the change
    # only once it is computed again
    Performance.objects.update(description="")
    ReadinessReport.objects.filter(pk=report.pk).update(computed_at=timezone.now() - datetime.timedelta(hours=2))
    report.refresh_from_db()
    html = page(p)
    assert "No problems found" in html
    assert f"Computed at {roc_datetime(report.computed_at)}" in html
    response = client_in("en", p.registry).post(reverse("submissions:recompute"), {"term": p.term.pk}, follow=True)
    html = response.content.decode()
    assert "a selected performance has no description" in html
    assert "No problems found" not in html
    report.refresh_from_db()
    assert timezone.now() - report.computed_at < datetime.timedelta(minutes=1)
    assert f"Computed at {roc_datetime(report.computed_at)}" in html


def test_stored_report_reads_in_the_viewers_language(personas: Personas, storage_root: Path) -> None:
    p = personas
    add_student_data(p.student, p.term, p.course, verifier=p.registry, files=False)
    Performance.objects.update(description="")
    assert "a selected performance has no description" in page(p)  # computed while browsing in English
    html = client_in("zh-hant", p.registry).get(reverse("submissions:index"), {"term": p.term.pk}).content.decode()
    assert "a selected performance has no description" not in html
    assert str(p.student) in html
