from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from licheng.counselling.models import CounsellingAttachment, CounsellingParticipant, CounsellingSession
from licheng.counselling.tests.conftest import SENTINEL, Cast, add_session
from licheng.files.tests.corpus import pdf
from licheng.testing.clients import client_in
from licheng.testing.factories import StudentFactory, make_staff

pytestmark = pytest.mark.django_db


def _form(cast: Cast, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "individual",
        "held_on": "114.10.01",
        "starts_at": "10:00",
        "ends_at": "10:50",
        "place": "輔導室",
        "participants": [cast.p.student.pk],
        "content": "討論選課",
        "advice": "多探索",
    }
    data.update(changes)
    return data


# --- recording -----------------------------------------------------------------------------------


def test_the_class_counsellor_records_a_session_with_a_pdf(cast: Cast) -> None:
    client = client_in("zh-hant", cast.counsellor)
    data = _form(cast, attachments=[SimpleUploadedFile("plan.pdf", pdf(), content_type="application/pdf")])
    response = client.post(reverse("counselling:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    session = CounsellingSession.objects.get()
    assert session.counsellor == cast.counsellor
    assert [p.student for p in CounsellingParticipant.objects.all()] == [cast.p.student]
    stored = session.attachments.get()
    page = client.get(reverse("counselling:detail", args=[session.pk]))
    assert "討論選課" in page.content.decode() and "plan.pdf" in page.content.decode()
    download = client.get(reverse("counselling:attachment", args=[session.pk, stored.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    # The student may open it too; the other class's teacher may not.
    assert client_in("zh-hant", cast.p.student_user).get(download.wsgi_request.path).status_code == 200
    assert client_in("zh-hant", cast.other_homeroom).get(download.wsgi_request.path).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"held_on": "114.02.30"}, "held_on", "沒有 30 日"),  # impossible ROC date
        ({"held_on": "abc"}, "held_on", ""),
        ({"ends_at": "09:00"}, "ends_at", "結束"),
        ({"content": ""}, "content", ""),
        ({"participants": []}, "participants", ""),
        ({"participants": [999999]}, "participants", ""),  # unknown student
    ],
)
def test_bad_form_input_is_refused_and_nothing_is_written(
    cast: Cast, changes: dict[str, object], field: str, message: str
) -> None:
    response = client_in("zh-hant", cast.counsellor).post(reverse("counselling:create"), _form(cast, **changes))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    if message:
        assert message in " ".join(response.context["form"].errors[field])
    assert not CounsellingSession.objects.exists()


def test_a_student_of_another_class_or_school_cannot_be_picked(cast: Cast) -> None:
    foreign = StudentFactory.create(school_class__school=cast.p.other_school)
    client = client_in("zh-hant", cast.counsellor)
    for student in (cast.other_class_student, foreign):
        response = client.post(reverse("counselling:create"), _form(cast, participants=[student.pk]))
        assert response.status_code == 400
        assert response.context["form"].errors["participants"]
    assert not CounsellingSession.objects.exists()


def test_an_attachment_that_is_not_a_real_pdf_is_refused_in_chinese(cast: Cast) -> None:
    fake = SimpleUploadedFile("plan.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = client_in("zh-hant", cast.counsellor).post(
        reverse("counselling:create"), _form(cast, attachments=[fake])
    )
    assert response.status_code == 400
    assert "plan.pdf" in " ".join(response.context["form"].non_field_errors())
    assert not CounsellingSession.objects.exists()
    assert not CounsellingAttachment.objects.exists()


def test_guidance_records_for_any_student_and_a_homeroom_teacher_cannot_record(cast: Cast) -> None:
    response = client_in("zh-hant", cast.guidance).post(
        reverse("counselling:create"),
        _form(cast, kind="group", participants=[cast.p.student.pk, cast.other_class_student.pk]),
    )
    assert response.status_code == 302
    assert CounsellingSession.objects.get().participants.count() == 2
    assert client_in("zh-hant", cast.p.homeroom_teacher).get(reverse("counselling:create")).status_code == 403


def test_only_the_recording_counsellor_edits_and_deletes(cast: Cast) -> None:
    session = add_session(cast)
    edit = reverse("counselling:edit", args=[session.pk])
    assert client_in("zh-hant", cast.p.homeroom_teacher).get(edit).status_code == 403
    client = client_in("zh-hant", cast.counsellor)
    assert client.post(edit, _form(cast, content="改過的內容")).status_code == 302
    session.refresh_from_db()
    assert session.content == "改過的內容"
    assert client.post(reverse("counselling:delete", args=[session.pk])).status_code == 302
    assert not CounsellingSession.objects.exists()


# --- visibility ----------------------------------------------------------------------------------


def test_visibility_per_persona(cast: Cast) -> None:
    p = cast.p
    session = add_session(cast)
    url = reverse("counselling:detail", args=[session.pk])
    expected = {
        cast.counsellor: 200,
        cast.guidance: 200,
        p.student_user: 200,
        p.homeroom_teacher: 200,
        cast.classmate.user: 404,
        cast.other_homeroom: 404,
        cast.other_counsellor: 404,
        p.parent: 404,  # not in the list of readers
        p.subject_teacher: 404,
        p.registry: 404,
        p.school_admin: 404,
        p.outsider: 404,
    }
    for user, status in expected.items():
        assert client_in("zh-hant", user).get(url).status_code == status, user.username


def test_a_student_sees_a_group_session_without_the_other_names(cast: Cast) -> None:
    session = add_session(cast, cast.p.student, cast.classmate)
    page = client_in("zh-hant", cast.p.student_user).get(reverse("counselling:detail", args=[session.pk]))
    text = page.content.decode()
    assert cast.p.student.name in text and cast.classmate.name not in text
    mine = client_in("zh-hant", cast.p.student_user).get(reverse("counselling:mine"))
    assert reverse("counselling:detail", args=[session.pk]) in mine.content.decode()
    staff = client_in("zh-hant", cast.counsellor).get(reverse("counselling:detail", args=[session.pk]))
    assert cast.classmate.name in staff.content.decode()


def test_the_list_shows_only_visible_sessions_and_filters(cast: Cast) -> None:
    mine = add_session(cast, content="一零一")
    other = add_session(cast, cast.other_class_student, counsellor=cast.other_counsellor, content="一零二")
    page = client_in("zh-hant", cast.counsellor).get(reverse("counselling:list"))
    assert list(page.context["sessions"]) == [mine]
    everything = client_in("zh-hant", cast.guidance).get(reverse("counselling:list"))
    assert set(everything.context["sessions"]) == {mine, other}
    by_student = client_in("zh-hant", cast.guidance).get(
        reverse("counselling:list"), {"student": cast.other_class_student.student_number}
    )
    assert list(by_student.context["sessions"]) == [other]
    by_date = client_in("zh-hant", cast.guidance).get(reverse("counselling:list"), {"date_from": "114.10.02"})
    assert list(by_date.context["sessions"]) == []
    bad_date = client_in("zh-hant", cast.guidance).get(reverse("counselling:list"), {"date_from": "114.13.01"})
    assert bad_date.status_code == 200 and bad_date.context["form"].errors
    assert client_in("zh-hant", cast.p.parent).get(reverse("counselling:list")).status_code == 403
    assert client_in("zh-hant", cast.p.parent).get(reverse("counselling:mine")).status_code == 404


def test_the_list_runs_a_constant_number_of_queries(cast: Cast, django_assert_max_num_queries: object) -> None:
    client = client_in("zh-hant", cast.guidance)
    url = reverse("counselling:list")
    add_session(cast)
    client.get(url)  # warm caches (session, permissions)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(8):
        add_session(cast, cast.p.student, cast.classmate, cast.other_class_student, counsellor=cast.guidance)
    # session/user, school, roles/permissions, count, page of sessions (+counsellor), participants
    # (+students, classes), attachments, classes for the filter: the same however many rows.
    assert count() == few


# --- export and the exclusion ----------------------------------------------------------------------


def _workbook_text(content: bytes) -> str:
    """Every cell of every sheet, as text (the XML itself escapes non-ASCII text)."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row
    )


def test_export_neutralises_formulas_and_is_for_counsellors_only(cast: Cast) -> None:
    add_session(cast, content='=HYPERLINK("http://evil")')
    response = client_in("zh-hant", cast.counsellor).get(reverse("counselling:export"))
    assert response.status_code == 200
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "日期"
    assert rows[1][7] == '\'=HYPERLINK("http://evil")'
    assert rows[1][5] == cast.p.student.student_number
    assert client_in("zh-hant", cast.p.homeroom_teacher).get(reverse("counselling:export")).status_code == 403
    assert client_in("zh-hant", cast.p.student_user).get(reverse("counselling:export")).status_code == 403


def test_counselling_records_are_not_submittable() -> None:
    from licheng.records.submittable import SUBMITTABLE_RECORD_TYPES, NotSubmittable, assert_submittable

    for model in (CounsellingSession, CounsellingParticipant, CounsellingAttachment):
        assert model._meta.label_lower not in SUBMITTABLE_RECORD_TYPES
        with pytest.raises(NotSubmittable):
            assert_submittable(model)
    assert not any(label.startswith("counselling.") for label in SUBMITTABLE_RECORD_TYPES)
    assert assert_submittable("records.Grade") == "records.grade"


def test_records_exports_never_contain_counselling_content(cast: Cast) -> None:
    """Every spreadsheet the records app produces, fetched by someone who may also read every
    counselling record: the sentinel written in a session's content appears in none of them."""
    from licheng.records.urls import urlpatterns

    add_session(cast)
    both = make_staff(cast.p.school, "school_admin", "registry", "guidance", username="both")
    client = client_in("zh-hant", both)
    urls = [reverse(f"records:{p.name}") for p in urlpatterns if p.name and p.name.endswith("export")]
    urls.append(reverse("records:import_template", args=["grades"]))
    assert reverse("records:grade_export") in urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SENTINEL not in _workbook_text(response.content), url
    # The counselling export itself does contain it: the search above would have found it.
    assert SENTINEL in _workbook_text(client.get(reverse("counselling:export")).content)


# --- API -----------------------------------------------------------------------------------------


def test_api_lists_visible_sessions_and_creates_one(cast: Cast) -> None:
    session = add_session(cast)
    add_session(cast, cast.other_class_student, counsellor=cast.other_counsellor)
    student_api = client_in("zh-hant", cast.p.student_user)
    listed = student_api.get("/api/v1/counselling/sessions").json()
    assert [s["id"] for s in listed] == [session.pk]
    assert student_api.get(f"/api/v1/counselling/sessions/{session.pk}").json()["content"] == SENTINEL
    assert client_in("zh-hant", cast.p.parent).get(f"/api/v1/counselling/sessions/{session.pk}").status_code == 404

    api = client_in("zh-hant", cast.counsellor)
    payload = {"held_on": "114.10.05", "student_numbers": [cast.p.student.student_number], "content": "API 紀錄"}
    created = api.post("/api/v1/counselling/sessions", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["held_on"] == "114.10.05"
    for bad, text in [
        ({**payload, "held_on": "114.02.30"}, "held_on"),
        ({**payload, "student_numbers": ["nobody"]}, "nobody"),
        ({**payload, "student_numbers": [cast.other_class_student.student_number]}, cast.other_class_student.name),
    ]:
        response = api.post("/api/v1/counselling/sessions", bad, content_type="application/json")
        assert response.status_code == 422 and text in response.json()["detail"], response.content
    assert CounsellingSession.objects.count() == 3
    refused = client_in("zh-hant", cast.p.homeroom_teacher).post(
        "/api/v1/counselling/sessions", payload, content_type="application/json"
    )
    assert refused.status_code == 403


def test_a_proxy_records_for_the_counsellor_and_the_audit_names_both(cast: Cast) -> None:
    import datetime

    from licheng.audit.models import AuditEntry
    from licheng.people.models import Duty, ProxyAssignment

    proxy = make_staff(cast.p.school, "subject_teacher", username="proxy", name="代理老師")
    assert client_in("zh-hant", proxy).get(reverse("counselling:create")).status_code == 403
    today = datetime.date.today()
    ProxyAssignment.objects.create(
        school=cast.p.school,
        principal=cast.counsellor,
        proxy=proxy,
        duty=Duty.OFFICE_ENTRY,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=1),
        order=1,
    )
    session = add_session(cast)
    client = client_in("zh-hant", proxy)
    assert client.get(reverse("counselling:detail", args=[session.pk])).status_code == 200
    assert (
        client.post(reverse("counselling:edit", args=[session.pk]), _form(cast, content="代理修改")).status_code == 302
    )
    entry = AuditEntry.objects.filter(action="counselling.session_update").get()
    assert entry.actor_id == proxy.pk and entry.on_behalf_of_id == cast.counsellor.pk
    assert SENTINEL not in str(entry.changes) and "代理修改" not in str(entry.changes)
