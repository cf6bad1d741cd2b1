"""Reflection, autobiography and study plan: sanitised writing, reviews, status per class."""

from __future__ import annotations

import pytest

from licheng.audit.services import Actor
from licheng.people.models import User
from licheng.performances import services
from licheng.performances.models import Writing, WritingReview
from licheng.performances.tests.conftest import add_work, client_for
from licheng.testing.factories import StudentFactory
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db

EVIL = (
    '<p onclick="steal()">我的優勢<script>alert(1)</script></p>'
    '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">點我</a>'
    '<a href="https://example.org/portfolio">作品集</a><strong>堅持</strong>'
)


def test_rich_text_is_sanitised_before_it_is_stored(personas: Personas) -> None:
    client = client_for(personas.student_user)
    response = client.post("/performances/writings/autobiography/", {"strengths": EVIL, "interests": "<em>閱讀</em>"})
    assert response.status_code == 302
    writing = Writing.objects.get()
    stored = writing.sections["strengths"]
    for bad in ("<script", "alert(1)", "onclick", "onerror", "<img", "javascript:"):
        assert bad not in stored
    assert '<a href="https://example.org/portfolio"' in stored and "<strong>堅持</strong>" in stored
    assert writing.sections["interests"] == "<em>閱讀</em>"
    page = client.get("/performances/writings/").content.decode()
    assert "我的優勢" in page and "javascript:" not in page


def test_an_empty_writing_is_refused(personas: Personas) -> None:
    response = client_for(personas.student_user).post(
        "/performances/writings/reflection/", {"self_awareness": "<script>x</script>"}
    )
    assert response.status_code == 200
    assert "請至少填寫一個段落" in response.content.decode()
    assert not Writing.objects.exists()


def _write(p: Personas) -> Writing:
    return services.writing_save(
        actor=Actor(user=p.student_user), school=p.school, kind="reflection", sections={"self_awareness": "認識自己"}
    )


def test_homeroom_teacher_and_guidance_comment_and_check(personas: Personas, guidance: User) -> None:
    p = personas
    writing = _write(p)
    url = f"/performances/writings/{writing.pk}/review/"
    response = client_for(p.homeroom_teacher).post(url, {"role": "homeroom", "comment": "很好", "checked": "on"})
    assert response.status_code == 302
    response = client_for(guidance).post(url, {"role": "guidance", "comment": "再具體一點", "checked": "on"})
    assert response.status_code == 302
    reviews = {r.role: r for r in WritingReview.objects.all()}
    assert reviews["homeroom"].checked_at and reviews["homeroom"].comment == "很好"
    assert reviews["guidance"].reviewer == guidance
    page = client_for(p.student_user).get("/performances/writings/").content.decode()
    assert "很好" in page and "再具體一點" in page
    # The homeroom teacher cannot sign as the guidance office.
    client_for(p.homeroom_teacher).post(url, {"role": "guidance", "comment": "冒名"})
    assert WritingReview.objects.get(role="guidance").comment == "再具體一點"


@pytest.mark.parametrize(("persona", "status"), [("parent", 403), ("subject_teacher", 404), ("outsider", 404)])
def test_others_cannot_review(personas: Personas, persona: str, status: int) -> None:
    writing = _write(personas)
    user = personas.by_name()[persona]
    response = client_for(user).post(f"/performances/writings/{writing.pk}/review/", {"comment": "x", "checked": "on"})
    assert response.status_code == status
    assert not WritingReview.objects.exists()


def test_class_overview_shows_who_has_not_written_with_constant_queries(
    windows_open: Personas, django_assert_max_num_queries: object
) -> None:
    p = windows_open
    _write(p)
    add_work(p)
    client = client_for(p.homeroom_teacher)
    url = f"/performances/classes/{p.school_class.pk}/"
    assert "0 位學生本學期尚未撰寫" in client.get(url).content.decode()
    StudentFactory.create_batch(39, school_class=p.school_class)
    # session + user + roles + permissions + delegated permissions + class + term + terms + rules
    # + students with counts + writings + reviews + menu: none per student.
    with django_assert_max_num_queries(24):  # type: ignore[operator]
        page = client.get(url).content.decode()
    assert "39 位學生本學期尚未撰寫" in page
    assert client_for(p.subject_teacher).get(url).status_code == 404
    assert client_for(p.student_user).get("/performances/classes/").status_code == 403


def test_guidance_sees_every_class(personas: Personas, guidance: User) -> None:
    page = client_for(guidance).get("/performances/classes/").content.decode()
    assert personas.school_class.name in page
    assert client_for(guidance).get(f"/performances/classes/{personas.school_class.pk}/").status_code == 200


def test_guidance_sees_how_many_wrote_in_each_class_with_constant_queries(
    personas: Personas, guidance: User, django_assert_max_num_queries: object
) -> None:
    from licheng.testing.factories import SchoolClassFactory

    _write(personas)
    client = client_for(guidance)
    assert "1/1" in client.get("/performances/classes/").content.decode()
    for _ in range(10):
        StudentFactory.create_batch(3, school_class=SchoolClassFactory.create(school=personas.school))
    # session + user + roles + permissions + delegated permissions + term + classes with counts + menu
    with django_assert_max_num_queries(16):  # type: ignore[operator]
        page = client.get("/performances/classes/").content.decode()
    assert page.count("0/3") == 10


def test_the_course_counsellor_sees_their_class_but_does_not_review(personas: Personas) -> None:
    from licheng.people.models import RoleGrant
    from licheng.testing.factories import make_staff

    counsellor = make_staff(personas.school, "course_counsellor", username="counsellor")
    personas.school_class.counsellor = counsellor
    personas.school_class.save()
    writing = _write(personas)
    client = client_for(counsellor)
    assert client.get(f"/performances/classes/{personas.school_class.pk}/").status_code == 200
    page = client.get(f"/performances/students/{personas.student.pk}/").content.decode()
    assert "認識自己" in page
    assert client.post(f"/performances/writings/{writing.pk}/review/", {"comment": "x"}).status_code == 403
    assert RoleGrant.objects.filter(user=counsellor).exists()


def test_staff_view_of_a_student_runs_a_constant_number_of_queries(
    windows_open: Personas, guidance: User, django_assert_max_num_queries: object
) -> None:
    p = windows_open
    _write(p)
    client = client_for(guidance)
    url = f"/performances/students/{p.student.pk}/"
    client.get(url)
    for _ in range(20):
        add_work(p)
    # session + user + roles + permissions + delegated + student + term + years + terms + rules
    # + performances + files + codes + writings + reviews + menu: none per performance.
    with django_assert_max_num_queries(26):  # type: ignore[operator]
        page = client.get(url).content.decode()
    assert page.count("我的作品") == 20


def test_attachment_is_stored_and_shown(personas: Personas, storage_root: object) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 0, 0)).save(out, "PNG")
    client = client_for(personas.student_user)
    response = client.post(
        "/performances/writings/study_plan/",
        {"career_plan": "<p>計畫</p>", "attachment": SimpleUploadedFile("plan.png", out.getvalue())},
    )
    assert response.status_code == 302
    writing = Writing.objects.get()
    assert writing.attachment is not None
    url = f"/performances/writings/{writing.pk}/attachment/"
    assert client.get(url).status_code == 200
    assert client_for(personas.homeroom_teacher).get(url).status_code == 200
    assert client_for(personas.subject_teacher).get(url).status_code == 404


TYPED = (
    "我從小喜歡**設計**，也喜歡*閱讀*。\n國中時開始畫海報。\n\n"
    "高一參加了校刊社：\n\n- 負責封面\n- 負責排版\n\n"
    "1. 先學軟體\n2. 再做作品\n\n"
    "作品集在 [這裡](https://example.org/a?b=1&c=2)。 <script>alert(1)</script><style>body{display:none}</style>"
    " [壞連結](javascript:alert(2)) <img src=x onerror=alert(3)>"
)


def test_typed_writing_keeps_paragraphs_bold_italics_lists_and_links(personas: Personas) -> None:
    client = client_for(personas.student_user)
    response = client.post("/performances/writings/autobiography/", {"strengths": TYPED})
    assert response.status_code == 302
    stored = Writing.objects.get().sections["strengths"]
    assert stored.count("<p>") == 3  # three paragraphs (and two lists), not one
    assert "<strong>設計</strong>" in stored and "<em>閱讀</em>" in stored
    assert "喜歡<em>閱讀</em>。<br>國中時" in stored  # a line break stays one
    assert "<ul><li>負責封面</li><li>負責排版</li></ul>" in stored
    assert "<ol><li>先學軟體</li><li>再做作品</li></ol>" in stored
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">這裡</a>' in stored
    # injected markup is shown as typed, never run: no tag, no javascript: link
    for bad in ("<script", "<style", "<img", 'href="javascript'):
        assert bad not in stored
    assert "&lt;script&gt;" in stored

    page = client.get("/performances/writings/").content.decode()
    assert "<ul><li>負責封面</li>" in page and "<script>alert(1)" not in page
    # editing shows the text as typed, and saving it again keeps the same writing
    form = client.get("/performances/writings/autobiography/").content.decode()
    assert "**設計**" in form and "- 負責封面" in form and "&lt;p&gt;" not in form
    again = Writing.objects.get().sections["strengths"]
    from licheng.performances.writings import html_to_text, render

    assert render(html_to_text(again)) == again
