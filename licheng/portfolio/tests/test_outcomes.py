"""Upload, edit, withdraw, certify, select: through the pages, as the people who do them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from licheng.audit.models import AuditEntry
from licheng.files.models import StoredFile
from licheng.notifications.models import Notification
from licheng.people.models import ProxyAssignment
from licheng.portfolio.models import (
    CertificationReason,
    CourseOutcome,
    CourseOutcomeSelection,
    CourseOutcomeVersion,
    WindowExtension,
)
from licheng.portfolio.tests.conftest import World, make_outcome, pdf_upload, png_upload, stored_files
from licheng.testing.factories import enrol, make_course

pytestmark = pytest.mark.django_db
URL = reverse("portfolio:my_outcomes")


def upload(world: World, description: str = "我的報告", course=None, files=None):  # type: ignore[no-untyped-def]
    client = world.client(world.p.student_user)
    course = course or world.p.course
    return client.post(
        URL,
        {"course": course.pk, "description": description, "files": files or [pdf_upload(), png_upload()]},
    )


def nothing_left(world: World) -> None:
    assert CourseOutcome.objects.count() == 0
    assert CourseOutcomeVersion.objects.count() == 0
    assert StoredFile.objects.count() == 0
    assert stored_files(world.root) == set()


def test_student_uploads_and_sees_it_awaiting_certification(world: World) -> None:
    response = upload(world)
    assert response.status_code == 302
    outcome = CourseOutcome.objects.get()
    version = outcome.versions.get()
    assert version.state == "pending" and version.outcome_files.count() == 2
    page = world.client(world.p.student_user).get(URL).content.decode()
    assert "Awaiting certification" in page and "1 / 9" in page and "1 / 18" in page
    detail = world.client(world.p.student_user).get(reverse("portfolio:outcome_detail", args=[outcome.pk]))
    assert "我的報告" in detail.content.decode()
    assert AuditEntry.objects.filter(action="course_outcome.upload").count() == 1


def test_upload_form_offers_only_credit_bearing_courses_of_the_term(world: World) -> None:
    zero = make_course(
        world.p.term, world.p.subject_teacher, subject="班會", school_class=world.p.school_class, credits=0
    )
    enrol(zero, world.p.student)
    page = world.client(world.p.student_user).get(URL).content.decode()
    assert "國文" in page and "班會" not in page and "物理" not in page


def test_description_over_the_limit_is_refused_and_leaves_nothing(world: World) -> None:
    response = upload(world, description="字" * 101)
    assert response.status_code == 422
    assert "101 characters long; at most 100" in response.content.decode()
    nothing_left(world)


def test_upload_for_a_course_not_taken_is_refused(world: World) -> None:
    response = upload(world, course=world.p.other_course)
    assert response.status_code == 422
    assert "Choose one of your credit-bearing courses" in response.content.decode()
    nothing_left(world)


def test_upload_outside_the_window_is_refused_unless_extended(world: World) -> None:
    world.windows(
        upload_opens_on=world.today - datetime.timedelta(days=20),
        upload_closes_on=world.today - datetime.timedelta(days=1),
    )
    page = world.client(world.p.student_user).get(URL).content.decode()
    assert "The upload window is not open now." in page
    response = upload(world)
    assert response.status_code == 422
    nothing_left(world)
    WindowExtension.objects.create(
        school=world.p.school,
        user=world.p.student_user,
        kind="upload",
        term=world.p.term,
        until=world.today,
        reason="病假",
        granted_by=world.p.registry,
    )
    assert upload(world).status_code == 302
    assert CourseOutcome.objects.count() == 1


def test_upload_over_the_term_cap_is_refused(world: World) -> None:
    world.rules(course_outcomes_per_term=1, course_outcomes_per_year=2)
    assert upload(world).status_code == 302
    response = upload(world, files=[pdf_upload("second.pdf")])
    assert response.status_code == 422
    assert "already uploaded 1 course outcomes this term" in response.content.decode()
    assert CourseOutcome.objects.count() == 1
    assert StoredFile.objects.count() == 2  # only the first outcome's two files


def test_a_refused_file_type_leaves_nothing(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = upload(world, files=[SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 100)])
    assert response.status_code == 422
    nothing_left(world)


def test_a_refused_second_file_leaves_nothing_of_the_first(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = upload(world, files=[pdf_upload(), SimpleUploadedFile("fake.png", b"not an image at all")])
    assert response.status_code == 422 and "fake.png" in response.content.decode()
    nothing_left(world)


def test_teacher_passes_one_and_rejects_one_and_student_sees_both(world: World) -> None:
    p = world.p
    upload(world, "第一份")
    upload(world, "第二份", files=[pdf_upload("b.pdf")])
    first, second = CourseOutcomeVersion.objects.order_by("pk")
    teacher = world.client(p.subject_teacher)
    queue = teacher.get(reverse("portfolio:queue")).content.decode()
    assert "第一份" in queue and "does not grade its quality" in queue
    assert teacher.post(reverse("portfolio:decide", args=[first.pk]), {"decision": "pass"}).status_code == 302
    other = CertificationReason.objects.get(school=p.school, code="99")
    # "Other" needs an explanation: refused without one, nothing changes.
    teacher.post(reverse("portfolio:decide", args=[second.pk]), {"decision": "not_pass", "reason": other.pk})
    second.refresh_from_db()
    assert second.state == "pending"
    unrelated = CertificationReason.objects.get(school=p.school, code="01")
    teacher.post(reverse("portfolio:decide", args=[second.pk]), {"decision": "not_pass", "reason": unrelated.pk})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("passed", "not_passed")
    assert second.reason == unrelated and first.decided_by == p.subject_teacher and first.decided_on_behalf_of is None
    with translation.override("en"):
        texts = [n.text for n in Notification.objects.filter(user=p.student_user)]
    assert any("was certified" in t for t in texts)
    assert any("was not passed" in t and "與本課程無關" in t for t in texts)
    # two outcomes of one course: each notice names its item, so they do not read the same
    assert any("“第一份”" in t and "was certified" in t for t in texts)
    assert any("“第二份”" in t and "was not passed" in t for t in texts)
    page = world.client(p.student_user).get(URL).content.decode()
    assert "Certified" in page and "Not passed" in page and "與本課程無關" in page


def test_change_after_certification_makes_a_new_version_and_keeps_the_certified_one(world: World) -> None:
    upload(world, "原版")
    outcome = CourseOutcome.objects.get()
    version = outcome.versions.get()
    world.client(world.p.subject_teacher).post(reverse("portfolio:decide", args=[version.pk]), {"decision": "pass"})
    student = world.client(world.p.student_user)
    # Withdrawal is refused once certified.
    student.post(reverse("portfolio:outcome_withdraw", args=[outcome.pk]))
    outcome.refresh_from_db()
    assert outcome.withdrawn_at is None
    student.post(reverse("portfolio:outcome_edit", args=[outcome.pk]), {"description": "修訂版"})
    v1, v2 = outcome.versions.order_by("number")
    assert (v1.number, v1.state, v1.description) == (1, "passed", "原版")
    assert (v2.number, v2.state, v2.description) == (2, "pending", "修訂版")
    assert set(v2.outcome_files.values_list("stored_file_id", flat=True)) == set(
        v1.outcome_files.values_list("stored_file_id", flat=True)
    )
    page = student.get(reverse("portfolio:outcome_detail", args=[outcome.pk])).content.decode()
    assert "原版" in page and "修訂版" in page


def test_pending_version_is_edited_in_place_and_can_be_withdrawn(world: World) -> None:
    upload(world, "原版")
    outcome = CourseOutcome.objects.get()
    version = outcome.versions.get()
    first_file = version.outcome_files.order_by("position")[0].stored_file_id
    student = world.client(world.p.student_user)
    student.post(
        reverse("portfolio:outcome_edit", args=[outcome.pk]),
        {"description": "改過", "remove": [first_file], "files": [png_upload("new.png")]},
    )
    version.refresh_from_db()
    assert outcome.versions.count() == 1 and version.description == "改過"
    assert version.outcome_files.count() == 2 and not version.outcome_files.filter(stored_file_id=first_file).exists()
    student.post(reverse("portfolio:outcome_withdraw", args=[outcome.pk]))
    outcome.refresh_from_db()
    assert outcome.withdrawn_at is not None
    assert "原版" not in world.client(world.p.subject_teacher).get(reverse("portfolio:queue")).content.decode()


def test_certifying_a_course_one_does_not_teach_is_404(world: World) -> None:
    upload(world)
    version = CourseOutcomeVersion.objects.get()
    response = world.client(world.p.other_teacher).post(
        reverse("portfolio:decide", args=[version.pk]), {"decision": "pass"}
    )
    assert response.status_code == 404
    version.refresh_from_db()
    assert version.state == "pending"


def test_proxy_certifies_on_behalf_of_the_teacher(world: World) -> None:
    p = world.p
    upload(world)
    version = CourseOutcomeVersion.objects.get()
    ProxyAssignment.objects.create(
        school=p.school,
        principal=p.subject_teacher,
        proxy=p.other_teacher,
        duty="certify_course",
        course=None,  # every course of the principal
        order=1,
        starts_on=world.today,
        ends_on=world.today,
    )
    proxy = world.client(p.other_teacher)
    assert "我的報告" in proxy.get(reverse("portfolio:queue")).content.decode()
    proxy.post(reverse("portfolio:decide", args=[version.pk]), {"decision": "pass"})
    version.refresh_from_db()
    assert version.state == "passed"
    assert (version.decided_by, version.decided_on_behalf_of) == (p.other_teacher, p.subject_teacher)
    entry = AuditEntry.objects.get(action="course_outcome.pass")
    assert (entry.actor, entry.on_behalf_of) == (p.other_teacher, p.subject_teacher)
    page = world.client(p.student_user).get(reverse("portfolio:outcome_detail", args=[version.outcome_id]))
    assert "as proxy for" in page.content.decode()


def test_expired_proxy_may_not_certify(world: World) -> None:
    p = world.p
    upload(world)
    version = CourseOutcomeVersion.objects.get()
    ProxyAssignment.objects.create(
        school=p.school,
        principal=p.subject_teacher,
        proxy=p.other_teacher,
        duty="certify_course",
        course=p.course,
        starts_on=world.today - datetime.timedelta(days=9),
        ends_on=world.today - datetime.timedelta(days=1),
    )
    assert (
        world.client(p.other_teacher)
        .post(reverse("portfolio:decide", args=[version.pk]), {"decision": "pass"})
        .status_code
        == 404
    )


def test_certification_outside_its_window_is_refused(world: World) -> None:
    upload(world)
    world.windows(certification_opens_on=world.today + datetime.timedelta(days=1))
    version = CourseOutcomeVersion.objects.get()
    response = world.client(world.p.subject_teacher).post(
        reverse("portfolio:decide", args=[version.pk]), {"decision": "pass"}, follow=True
    )
    assert "certification window" in response.content.decode()
    version.refresh_from_db()
    assert version.state == "pending" and not Notification.objects.exists()


def test_pass_many_at_once(world: World) -> None:
    outcomes = [make_outcome(world.p.student, world.p.course) for _ in range(3)]
    ids = [o.versions.get().pk for o in outcomes]
    response = world.client(world.p.subject_teacher).post(
        reverse("portfolio:pass_selected"), {"version": ids}, follow=True
    )
    assert "3 course outcomes certified" in response.content.decode()
    assert set(CourseOutcomeVersion.objects.values_list("state", flat=True)) == {"passed"}
    assert Notification.objects.filter(user=world.p.student_user).count() == 3


def test_pass_many_refuses_versions_of_other_courses_as_404(world: World) -> None:
    outcome = make_outcome(world.p.student, world.p.course)
    response = world.client(world.p.other_teacher).post(
        reverse("portfolio:pass_selected"), {"version": [outcome.versions.get().pk]}
    )
    assert response.status_code == 404
    assert outcome.versions.get().state == "pending"


def test_selection_caps_and_locks(world: World) -> None:
    world.rules(course_outcomes_selected=2)
    outcomes = [make_outcome(world.p.student, world.p.course, state="passed") for _ in range(3)]
    pending = make_outcome(world.p.student, world.p.course)
    student = world.client(world.p.student_user)
    url = lambda o: reverse("portfolio:select_toggle", args=[o.pk])  # noqa: E731
    student.post(url(outcomes[0]), {"selected": "1"})
    student.post(url(outcomes[1]), {"selected": "1"}, HTTP_HX_REQUEST="true")
    response = student.post(url(outcomes[2]), {"selected": "1"}, HTTP_HX_REQUEST="true")
    assert "already selected 2" in response.content.decode()
    assert "2 / 2" in response.content.decode()
    response = student.post(url(pending), {"selected": "1"}, HTTP_HX_REQUEST="true")
    assert "Only certified" in response.content.decode()
    assert CourseOutcomeSelection.objects.count() == 2
    student.post(url(outcomes[0]), {"selected": "0"})
    assert CourseOutcomeSelection.objects.count() == 1
    world.windows(selection_closes_on=world.today - datetime.timedelta(days=1))
    page = student.get(reverse("portfolio:selection")).content.decode()
    assert "selections are locked" in page
    response = student.post(url(outcomes[1]), {"selected": "0"}, HTTP_HX_REQUEST="true")
    assert "selection window is not open" in response.content.decode()
    assert CourseOutcomeSelection.objects.count() == 1


def test_someone_elses_outcome_cannot_be_selected(world: World) -> None:
    outcome = make_outcome(world.p.student, world.p.course, state="passed")
    for user in (world.p.parent, world.p.homeroom_teacher, world.p.subject_teacher):
        response = world.client(user).post(reverse("portfolio:select_toggle", args=[outcome.pk]), {"selected": "1"})
        assert response.status_code == 404
    assert not CourseOutcomeSelection.objects.exists()


def test_reason_table_can_be_extended(world: World) -> None:
    admin = world.client(world.p.school_admin)
    response = admin.post(reverse("portfolio:reasons"), {"code": "04", "label": "檔案內容不完整", "active": "1"})
    assert response.status_code == 302
    assert CertificationReason.objects.filter(school=world.p.school).count() == 5
    response = admin.post(reverse("portfolio:reasons"), {"code": "", "label": "x"})
    assert response.status_code == 422


def test_registry_grants_an_extension(world: World) -> None:
    response = world.client(world.p.registry).post(
        reverse("portfolio:extensions"),
        {
            "username": world.p.student_user.username,
            "kind": "upload",
            "term": world.p.term.pk,
            "until": (world.today + datetime.timedelta(days=3)).isoformat(),
            "reason": "住院",
        },
    )
    assert response.status_code == 302
    extension = WindowExtension.objects.get()
    assert extension.granted_by == world.p.registry
    assert AuditEntry.objects.filter(action="window_extension.grant").exists()


def test_withdraw_asks_first_and_does_not_look_like_save(world: World) -> None:
    upload(world, "要撤回的")
    outcome = CourseOutcomeVersion.objects.get().outcome
    page = world.client(world.p.student_user).get(reverse("portfolio:outcome_detail", args=[outcome.pk])).content
    html = page.decode()
    form = html[html.index('action="' + reverse("portfolio:outcome_withdraw", args=[outcome.pk])) :]
    form = form[: form.index("</form>")]
    assert "data-confirm=" in form  # licheng.js asks before the form is sent
    assert 'class="button danger"' in form


def test_upload_form_shows_its_limits_and_is_not_offered_at_the_cap(world: World) -> None:
    from licheng.schools.models import SchoolRules

    client = world.client(world.p.student_user)
    page = client.get(URL).content.decode()
    assert "up to 4 MB each" in page and "up to 10 MB each" in page  # the school's rules, not "the limit"
    SchoolRules.objects.filter(school=world.p.school).update(course_outcomes_per_term=1)
    assert upload(world, "第一份").status_code == 302
    page = client.get(URL).content.decode()
    assert 'name="files"' not in page
    assert "You have uploaded as many course outcomes as allowed (1/1 this term" in page


def test_queue_marks_proxy_courses_and_leaves_out_next_terms_empty_courses(world: World) -> None:
    from licheng.portfolio.tests.conftest import make_outcome
    from licheng.testing.factories import make_course, make_term

    p = world.p
    make_outcome(p.student, p.course)
    later = make_term(p.school, year=p.term.academic_year.year + 5, number=1)  # a term not started yet
    make_course(later, p.other_teacher, subject="未來的課")
    ProxyAssignment.objects.create(
        school=p.school,
        principal=p.subject_teacher,
        proxy=p.other_teacher,
        duty="certify_course",
        course=None,
        order=1,
        starts_on=world.today,
        ends_on=world.today,
    )
    page = world.client(p.other_teacher).get(reverse("portfolio:queue")).content.decode()
    table = page[page.index("<table") : page.index("</table>")]
    assert "國文" in table and f"as proxy for {p.subject_teacher.name}" in table
    assert "未來的課" not in table  # nothing to certify before its term starts
    assert "物理" in table  # their own course of a started term stays, without the proxy mark
    row = table[table.index("物理") :]
    assert "as proxy for" not in row[: row.index("</tr>")]


def test_a_preview_still_being_made_shows_a_placeholder_not_a_broken_image(world: World) -> None:
    from licheng.portfolio.tests.conftest import make_outcome

    outcome = make_outcome(world.p.student, world.p.course)  # its PDF has no preview yet
    page = world.client(world.p.student_user).get(reverse("portfolio:outcome_detail", args=[outcome.pk]))
    html = page.content.decode()
    assert "The preview is still being made" in html
    assert "/preview/" not in html
