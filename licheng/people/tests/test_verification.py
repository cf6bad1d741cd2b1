"""Profile verification each term: the registry opens a round, students confirm or report, the
registry resolves, and the dashboard counts who has not confirmed, by class."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licheng.audit.models import AuditEntry
from licheng.audit.services import Actor
from licheng.people import verification
from licheng.people.models import CheckStatus, EnrolmentStatus, ProfileCheck, VerificationRound
from licheng.schools.rocdate import format_roc
from licheng.testing.factories import SchoolClassFactory, StudentFactory, UserFactory, make_term
from licheng.testing.personas import Personas
from licheng.tests import matrix_verification

TODAY = datetime.date.today()
LATER = TODAY + datetime.timedelta(days=30)


def _open(personas: Personas, **kwargs: Any) -> VerificationRound:
    return verification.verification_round_open(
        actor=Actor(user=personas.registry), school=personas.school, term=personas.term, closes_on=LATER, **kwargs
    )


def _check(personas: Personas, verification_round: VerificationRound) -> ProfileCheck:
    return ProfileCheck.objects.get(round=verification_round, student=personas.student)


def _roc(day: datetime.date) -> str:
    return format_roc(day)


# --- opening a round -----------------------------------------------------------------------------


def test_registry_opens_a_round_for_enrolled_students_only(personas: Personas, as_user: Any) -> None:
    left = StudentFactory.create(school_class=personas.school_class, status=EnrolmentStatus.LEFT)
    client = as_user(personas.registry)
    response = client.post(
        reverse("people:verification_rounds"), {"term": personas.term.pk, "closes_on": _roc(LATER)}, follow=True
    )
    assert response.status_code == 200
    assert "已開始" in response.content.decode() or response.redirect_chain
    verification_round = VerificationRound.objects.get(term=personas.term)
    students = set(ProfileCheck.objects.filter(round=verification_round).values_list("student_id", flat=True))
    assert personas.student.pk in students
    assert left.pk not in students
    assert AuditEntry.objects.filter(action="verification.open").count() == 1


def test_a_second_round_for_the_same_term_is_refused(personas: Personas, as_user: Any) -> None:
    _open(personas)
    client = as_user(personas.registry)
    response = client.post(reverse("people:verification_rounds"), {"term": personas.term.pk, "closes_on": _roc(LATER)})
    assert response.status_code == 200
    assert "此學期已有基本資料校對" in response.content.decode()
    assert VerificationRound.objects.count() == 1


def test_a_round_cannot_close_before_the_term_starts(personas: Personas, as_user: Any) -> None:
    client = as_user(personas.registry)
    too_early = personas.term.starts_on - datetime.timedelta(days=1)
    response = client.post(
        reverse("people:verification_rounds"), {"term": personas.term.pk, "closes_on": _roc(too_early)}
    )
    assert "學期開始" in response.content.decode()
    assert not VerificationRound.objects.exists()


# --- the student ---------------------------------------------------------------------------------


def test_student_sees_their_profile_and_confirms(personas: Personas, as_user: Any) -> None:
    verification_round = _open(personas)
    client = as_user(personas.student_user)
    page = client.get(reverse("people:my_profile_check")).content.decode()
    assert personas.student.name in page
    assert personas.student.national_id in page  # their own number, in full
    assert format_roc(personas.student.birth_date) in page  # birth date in ROC
    check = _check(personas, verification_round)
    response = client.post(reverse("people:profile_confirm", args=[check.pk]), follow=True)
    assert "已確認" in response.content.decode()
    check.refresh_from_db()
    assert check.status == CheckStatus.CONFIRMED
    entry = AuditEntry.objects.get(action="verification.confirm")
    assert entry.actor_id == personas.student_user.pk


def test_student_cannot_answer_for_another_student(personas: Personas, as_user: Any) -> None:
    other = StudentFactory.create(school_class=personas.school_class)
    verification_round = _open(personas)
    check = ProfileCheck.objects.get(round=verification_round, student=other)
    client = as_user(personas.student_user)
    assert client.post(reverse("people:profile_confirm", args=[check.pk])).status_code == 404
    assert client.post(reverse("people:profile_report", args=[check.pk]), {"text": "x"}).status_code == 404
    check.refresh_from_db()
    assert check.status == CheckStatus.PENDING


def test_report_needs_text(personas: Personas, as_user: Any) -> None:
    check = _check(personas, _open(personas))
    client = as_user(personas.student_user)
    response = client.post(reverse("people:profile_report", args=[check.pk]), {"text": "  "}, follow=True)
    assert "請寫下基本資料哪裡有誤" in response.content.decode()
    check.refresh_from_db()
    assert check.status == CheckStatus.PENDING
    response = client.post(reverse("people:profile_report", args=[check.pk]), {"text": "字" * 501}, follow=True)
    assert "500" in response.content.decode()
    check.refresh_from_db()
    assert check.status == CheckStatus.PENDING


def test_no_answers_after_the_round_closes(personas: Personas, as_user: Any) -> None:
    verification_round = _open(personas)
    check = _check(personas, verification_round)
    registry = as_user(personas.registry)
    assert registry.post(reverse("people:verification_round_close", args=[verification_round.pk])).status_code == 302
    client = as_user(personas.student_user)
    response = client.post(reverse("people:profile_confirm", args=[check.pk]), follow=True)
    assert "已結束" in response.content.decode()
    response = client.post(reverse("people:profile_report", args=[check.pk]), {"text": "座號錯了"}, follow=True)
    assert "已結束" in response.content.decode()
    check.refresh_from_db()
    assert check.status == CheckStatus.PENDING


def test_student_added_later_gets_a_check_when_they_open_the_page(personas: Personas, as_user: Any) -> None:
    _open(personas)
    late = StudentFactory.create(school_class=personas.school_class)
    client = as_user(late.user)
    assert client.get(reverse("people:my_profile_check")).status_code == 200
    assert ProfileCheck.objects.filter(student=late).count() == 1


# --- the registry resolves -----------------------------------------------------------------------


def test_registry_resolves_a_report(personas: Personas, as_user: Any) -> None:
    verification_round = _open(personas)
    check = _check(personas, verification_round)
    as_user(personas.student_user).post(reverse("people:profile_report", args=[check.pk]), {"text": "生日有誤"})
    client = as_user(personas.registry)
    url = reverse("people:verification_class", args=[verification_round.pk, personas.school_class.pk])
    page = client.get(url).content.decode()
    assert "生日有誤" in page
    assert reverse("people:student_edit", args=[personas.student.pk]) in page
    response = client.post(reverse("people:profile_report_resolve", args=[check.pk]), {"note": "已更正生日"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.status == CheckStatus.RESOLVED
    assert check.resolved_by == personas.registry
    assert AuditEntry.objects.filter(action="verification.resolve").exists()
    # A second resolve is refused with a message and changes nothing.
    response = client.post(reverse("people:profile_report_resolve", args=[check.pk]), {"note": "again"}, follow=True)
    assert "只有已回報的問題" in response.content.decode()


def test_homeroom_teacher_sees_the_class_read_only(personas: Personas, as_user: Any) -> None:
    verification_round = _open(personas)
    check = _check(personas, verification_round)
    as_user(personas.student_user).post(reverse("people:profile_report", args=[check.pk]), {"text": "座號錯了"})
    client = as_user(personas.homeroom_teacher)
    page = client.get(
        reverse("people:verification_class", args=[verification_round.pk, personas.school_class.pk])
    ).content.decode()
    assert "座號錯了" in page
    assert reverse("people:profile_report_resolve", args=[check.pk]) not in page
    assert client.post(reverse("people:profile_report_resolve", args=[check.pk])).status_code == 403
    # Another class of the school is not theirs (a name no random CSP nonce can contain).
    other = SchoolClassFactory.create(school=personas.school, name="忠班")
    StudentFactory.create(school_class=other)
    assert client.get(reverse("people:verification_class", args=[verification_round.pk, other.pk])).status_code == 404
    page = client.get(reverse("people:verification_round", args=[verification_round.pk])).content.decode()
    assert "101" in page and "忠班" not in page


# --- dashboard -----------------------------------------------------------------------------------


def test_dashboard_counts_by_class(personas: Personas, as_user: Any) -> None:
    other = SchoolClassFactory.create(school=personas.school, name="102")
    others = [StudentFactory.create(school_class=other) for _ in range(3)]
    verification_round = _open(personas)
    for student, answer in zip(others, ["confirm", "report", None], strict=True):
        check = ProfileCheck.objects.get(round=verification_round, student=student)
        if answer == "confirm":
            verification.profile_confirm(actor=Actor(user=student.user), check=check)
        elif answer == "report":
            verification.profile_report(actor=Actor(user=student.user), check=check, text="姓名錯字")
    client = as_user(personas.registry)
    response = client.get(reverse("api-v1:verification_dashboard", args=[verification_round.pk]))
    rows = {row["class_name"]: row for row in response.json()}
    assert rows["101"]["pending"] == 1 and rows["101"]["total"] == 1
    assert (rows["102"]["confirmed"], rows["102"]["reported"], rows["102"]["pending"]) == (1, 1, 1)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_dashboard_and_class_pages_cost_constant_queries(personas: Personas, as_user: Any) -> None:
    verification_round = _open(personas)
    client = as_user(personas.registry)
    dashboard = reverse("people:verification_round", args=[verification_round.pk])
    class_page = reverse("people:verification_class", args=[verification_round.pk, personas.school_class.pk])
    rounds = reverse("people:verification_rounds")
    client.get(dashboard)
    few = (_queries(client, dashboard), _queries(client, class_page), _queries(client, rounds))
    for n in range(4):
        school_class = SchoolClassFactory.create(school=personas.school, name=f"2{n:02d}")
        for _ in range(3):
            student = StudentFactory.create(school_class=school_class)
            ProfileCheck.objects.create(school=personas.school, round=verification_round, student=student)
        StudentFactory.create(school_class=personas.school_class)
    for check in ProfileCheck.objects.filter(student__school_class=personas.school_class)[:3]:
        check.status = CheckStatus.REPORTED
        check.report_text = "錯"
        check.save()
    make_term(personas.school, 114, 2)
    # Dashboard: session, user with school, roles, permissions, delegated proxies, the round, the counts
    # per class (one grouped query). Class page: the same plus the class and its checks with
    # students. Rounds list: rounds with their counts, the term choices.
    assert (_queries(client, dashboard), _queries(client, class_page), _queries(client, rounds)) == few


def test_student_page_queries(personas: Personas, as_user: Any, django_assert_max_num_queries: Any) -> None:
    _open(personas)
    client = as_user(personas.student_user)
    client.get(reverse("people:my_profile_check"))
    # session, user with school, roles, permissions, delegated proxies (for the ID rule), the student,
    # the round, the check, plus the menu's look-ups.
    with django_assert_max_num_queries(20):
        assert client.get(reverse("people:my_profile_check")).status_code == 200


# --- API -----------------------------------------------------------------------------------------


def test_api_student_checks_confirms_and_reports(personas: Personas, as_user: Any) -> None:
    verification_round = _open(personas)
    client = as_user(personas.student_user)
    mine = client.get(reverse("api-v1:verification_mine")).json()
    assert mine["status"] == "pending" and mine["round_id"] == verification_round.pk
    assert mine["national_id"] == personas.student.national_id
    url = reverse("api-v1:verification_report", args=[mine["id"]])
    response = client.post(url, data=json.dumps({"text": ""}), content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "text"
    response = client.post(url, data=json.dumps({"text": "座號錯了"}), content_type="application/json")
    assert response.json()["status"] == "reported"
    response = client.post(reverse("api-v1:verification_confirm", args=[mine["id"]]))
    assert response.json()["status"] == "confirmed"


def test_api_other_students_check_is_404(personas: Personas, as_user: Any) -> None:
    other = StudentFactory.create(school_class=personas.school_class, user=UserFactory.create(school=personas.school))
    verification_round = _open(personas)
    check = ProfileCheck.objects.get(round=verification_round, student=other)
    client = as_user(personas.student_user)
    assert client.post(reverse("api-v1:verification_confirm", args=[check.pk])).status_code == 404


# --- permission matrix (the lead adds ``matrix_verification`` to MATRIX_MODULES) -----------------


@pytest.mark.parametrize("case", matrix_verification.CASES, ids=[case.name for case in matrix_verification.CASES])
def test_matrix(case: Any, personas: Personas) -> None:
    from licheng.tests.test_permission_matrix import _matches, _request, build_world

    world = build_world(personas)
    if "verification_round" not in world.extra:
        matrix_verification.extend(world)
    users = personas.by_name()
    wrong = []
    for persona, expected in case.expect.items():
        client = Client(enforce_csrf_checks=False)
        with transaction.atomic():
            if persona != "anonymous":
                client.force_login(users[persona])
            status = _request(client, case, world)
            transaction.set_rollback(True)
        if not _matches(expected, status):
            wrong.append(f"{persona}: expected {expected}, got {status}")
    assert not wrong, f"{case.name}: " + "; ".join(wrong)


def test_home_page_shows_the_round(personas: Personas, as_user: Any) -> None:
    verification_round = _open(personas)
    page = as_user(personas.student_user).get("/").content.decode()
    assert 'id="section-verification_student"' in page
    assert "尚未確認" in page and reverse("people:my_profile_check") in page
    page = as_user(personas.registry).get("/").content.decode()
    assert 'id="section-verification_registry"' in page
    assert reverse("people:verification_round", args=[verification_round.pk]) in page
