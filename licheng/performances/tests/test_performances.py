"""Students add, change and withdraw performances; the rules refuse bad input and change nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.performances import services
from licheng.performances.models import Performance, PerformanceCode
from licheng.performances.tests.conftest import WORK, add_work, client_for, open_windows, set_rules
from licheng.testing.factories import make_staff
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def post_work(p: Personas, **overrides: str) -> Any:
    data = {"description": "校刊封面", "external_link": "", **WORK, **overrides}
    return client_for(p.student_user).post("/performances/new/8/", data)


def test_student_adds_a_performance_and_sees_it_counted(windows_open: Personas) -> None:
    p = windows_open
    response = post_work(p, external_link="https://example.org/work")
    assert response.status_code == 302
    performance = Performance.objects.get()
    assert performance.fields == {"name": "校刊封面設計", "date": "2025-10-01"}
    page = client_for(p.student_user).get("/performances/").content.decode()
    assert "校刊封面" in page
    assert "1/30" in page


def test_student_uploads_a_file_and_the_homeroom_teacher_opens_it(windows_open: Personas, storage_root: Path) -> None:
    p = windows_open
    client = client_for(p.student_user)
    upload = SimpleUploadedFile("poster.png", _png(), content_type="image/png")
    response = client.post("/performances/new/8/", {"description": "海報", **WORK, "files": [upload]})
    assert response.status_code == 302, response.content.decode()[:2000]
    performance = Performance.objects.get()
    stored = performance.performance_files.get().stored_file
    url = f"/performances/{performance.pk}/files/{stored.pk}/"
    assert client_for(p.homeroom_teacher).get(url).status_code == 200
    assert client_for(p.parent).get(url).status_code == 200
    assert client_for(p.subject_teacher).get(url).status_code == 404
    assert client_for(p.outsider).get(url).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"description": "字" * 101}, "最多 100 個字"),
        ({"description": ""}, "請填寫簡述"),
        ({"external_link": "javascript:alert(1)"}, "http:// 或 https://"),
        ({"external_link": "data:text/html,<script>alert(1)</script>"}, "http:// 或 https://"),
        ({"external_link": "ftp://example.org/x"}, "http:// 或 https://"),
        ({"f_date": "not a date"}, "日期"),
        ({"f_name": ""}, "作品名稱"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_kept(
    windows_open: Personas, overrides: dict[str, str], message: str
) -> None:
    response = post_work(windows_open, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Performance.objects.exists()


def test_kind_fields_are_checked_per_kind(windows_open: Personas) -> None:
    p = windows_open
    base = {"description": "服務", "f_name": "淨灘", "f_organisation": "環保團體", "f_hours": "4"}
    client = client_for(p.student_user)
    response = client.post("/performances/new/4/", {**base, "f_start": "2025-10-02", "f_end": "2025-10-01"})
    assert "結束日期不可早於開始日期" in response.content.decode()
    response = client.post("/performances/new/4/", {**base, "f_start": "2025-10-01", "f_end": "2025-10-02"})
    assert response.status_code == 302
    # A code that is not in the school's table is refused.
    cadre = {"description": "班長", "f_unit": "101", "f_start": "2025-09-01", "f_post": "班長", "f_level": "7"}
    response = client.post("/performances/new/1/", cadre)
    assert "請選擇有效的" in response.content.decode()
    assert Performance.objects.count() == 1


def test_the_yearly_cap_holds(windows_open: Personas) -> None:
    p = windows_open
    set_rules(p, performances_per_year=2)
    add_work(p)
    add_work(p)
    response = post_work(p)
    assert "已上傳 2 筆多元表現" in response.content.decode()
    assert Performance.objects.count() == 2
    # Withdrawn ones no longer count.
    first = Performance.objects.first()
    assert first is not None
    assert client_for(p.student_user).post(f"/performances/{first.pk}/withdraw/").status_code == 302
    assert post_work(p).status_code == 302


def test_nothing_can_be_added_outside_the_window(personas: Personas) -> None:
    open_windows(personas, upload=False)
    response = post_work(personas)
    assert "上傳期間" in response.content.decode()
    assert not Performance.objects.exists()


def test_student_changes_their_performance(windows_open: Personas) -> None:
    p = windows_open
    performance = add_work(p)
    client = client_for(p.student_user)
    response = client.post(f"/performances/{performance.pk}/edit/", {"description": "改過", **WORK})
    assert response.status_code == 302
    performance.refresh_from_db()
    assert performance.description == "改過"
    response = client.post(f"/performances/{performance.pk}/edit/", {"description": "字" * 101, **WORK})
    performance.refresh_from_db()
    assert performance.description == "改過"


def test_office_records_are_staff_verified_and_not_the_students_to_change(windows_open: Personas) -> None:
    p = windows_open
    activities = make_staff(p.school, "activities", username="activities")
    performance = services.performance_record_by_office(
        actor=Actor(user=activities),
        school=p.school,
        student=p.student,
        kind=1,
        fields={"unit": "101", "start": "2025-09-01", "post": "班長", "level": "2"},
        description="擔任班長",
        office="activities",
    )
    page = client_for(p.student_user).get("/performances/").content.decode()
    assert "擔任班長" in page and "已驗證" in page
    assert "0/30" in page  # office records do not use up the student's uploads
    client = client_for(p.student_user)
    assert client.get(f"/performances/{performance.pk}/edit/").status_code == 404
    client.post(f"/performances/{performance.pk}/withdraw/")
    performance.refresh_from_db()
    assert performance.withdrawn_at is None
    with pytest.raises(ServiceError):
        services.performance_record_by_office(
            actor=Actor(user=p.subject_teacher),
            school=p.school,
            student=p.student,
            kind=1,
            fields={},
            description="x",
            office="activities",
        )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("student", 200),
        ("homeroom_teacher", 200),
        ("parent", 200),
        ("school_admin", 200),
        ("subject_teacher", 404),
        ("other_teacher", 404),
        ("registry", 404),
        ("outsider", 404),
    ],
)
def test_who_sees_a_performance(windows_open: Personas, persona: str, status: int) -> None:
    performance = add_work(windows_open)
    user = windows_open.by_name()[persona]
    assert client_for(user).get(f"/performances/{performance.pk}/").status_code == status
    assert client_for(user).get(f"/performances/students/{windows_open.student.pk}/").status_code == status


def test_parent_view_is_read_only(windows_open: Personas) -> None:
    p = windows_open
    performance = add_work(p)
    client = client_for(p.parent)
    page = client.get(f"/performances/students/{p.student.pk}/").content.decode()
    assert "我的作品" in page
    assert "withdraw" not in page
    # the class is named, not linked: its overview is for staff and answers a parent 404
    class_url = f"/performances/classes/{p.school_class.pk}/"
    assert p.school_class.name in page and f'href="{class_url}"' not in page
    assert client.get(class_url).status_code == 404
    homeroom_page = client_for(p.homeroom_teacher).get(f"/performances/students/{p.student.pk}/").content.decode()
    assert f'href="{class_url}"' in homeroom_page
    assert client.post(f"/performances/{performance.pk}/withdraw/").status_code == 404
    assert client.get(f"/performances/{performance.pk}/edit/").status_code == 404


def test_code_tables_are_editable_per_school(windows_open: Personas) -> None:
    p = windows_open
    admin = client_for(p.school_admin)
    response = admin.post(
        "/performances/codes/", {"table": "cadre_level", "code": "7", "label": "社區", "active": "on"}
    )
    assert response.status_code == 302
    assert PerformanceCode.objects.filter(school=p.school, table="cadre_level").count() == 7
    cadre = {"description": "社區幹部", "f_unit": "里", "f_start": "2025-09-01", "f_post": "幹事", "f_level": "7"}
    assert client_for(p.student_user).post("/performances/new/1/", cadre).status_code == 302
    assert client_for(p.student_user).get("/performances/codes/").status_code == 403
    response = admin.post("/performances/codes/", {"table": "cadre_level", "code": "<x>", "label": "壞"})
    assert response.status_code == 200
    assert not PerformanceCode.objects.filter(code="<x>").exists()


def test_my_performances_page_runs_a_constant_number_of_queries(
    windows_open: Personas, django_assert_max_num_queries: object
) -> None:
    p = windows_open
    client = client_for(p.student_user)
    client.get("/performances/")
    for _ in range(25):
        add_work(p)
    # session + user + roles + permissions + student + term + years + rules + performances + files
    # + codes + the menu's queries: none of them per performance.
    with django_assert_max_num_queries(22):  # type: ignore[operator]
        response = client.get("/performances/")
    assert response.content.decode().count("我的作品") == 25


def test_an_oversized_file_is_refused_and_nothing_is_kept(windows_open: Personas, storage_root: Path) -> None:
    p = windows_open
    set_rules(p, document_max_mb=1, media_max_mb=1)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10))
    response = client_for(p.student_user).post("/performances/new/8/", {"description": "大檔", **WORK, "files": [big]})
    assert response.status_code == 413
    assert "超過" in response.content.decode() or "上限" in response.content.decode()
    assert not Performance.objects.exists()
    assert not [f for f in storage_root.rglob("*") if f.is_file()]


def test_a_rejected_file_keeps_the_performance_out_too(windows_open: Personas, storage_root: Path) -> None:
    fake = SimpleUploadedFile("virus.pdf", b"MZ not a pdf at all")
    response = client_for(windows_open.student_user).post(
        "/performances/new/8/", {"description": "假檔", **WORK, "files": [fake]}
    )
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not Performance.objects.exists()


def test_home_page_shows_the_counters_and_the_parent_link(windows_open: Personas) -> None:
    add_work(windows_open)
    page = client_for(windows_open.student_user).get("/").content.decode()
    assert "1/30" in page and "0/10" in page
    page = client_for(windows_open.parent).get("/").content.decode()
    assert f"/performances/students/{windows_open.student.pk}/" in page


def test_the_description_limit_is_the_schools_setting(windows_open: Personas) -> None:
    set_rules(windows_open, description_max_chars=10)
    response = post_work(windows_open, description="一二三四五六七八九十十")
    assert "簡述最多 10 個字（目前 11 個字）" in response.content.decode()
    assert not Performance.objects.exists()
    assert post_work(windows_open, description="一二三四五六七八九十").status_code == 302


def test_an_error_keeps_what_was_typed_and_names_the_file_to_attach_again(windows_open: Personas) -> None:
    client = client_for(windows_open.student_user)
    response = client.post(
        "/performances/new/8/",
        {
            "description": "我寫了很久的說明",
            "external_link": "not a link",
            **WORK,
            "files": SimpleUploadedFile("封面.png", _png(), content_type="image/png"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Performance.objects.exists()
    assert "我寫了很久的說明" in page and WORK["f_name"] in page  # the typed text is kept
    assert "封面.png" in page and "需要重新附加" in page  # the file is named, to attach again
