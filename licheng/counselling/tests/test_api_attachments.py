"""Counselling attachments through the API (pdf/jpg/png via the upload pipeline), and sealing:
a sealed student's counselling records cannot be changed, recorded or imported."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.counselling import services
from licheng.counselling.models import CounsellingAttachment, CounsellingSession
from licheng.counselling.tests.conftest import Cast, add_session
from licheng.files.tests import corpus
from licheng.people.models import Student
from licheng.testing.clients import client_in

pytestmark = pytest.mark.django_db


def _url(session: CounsellingSession) -> str:
    return reverse("api-v1:counselling_session_attachments", kwargs={"pk": session.pk})


def test_the_counsellor_attaches_a_pdf_and_a_png_and_readers_download_them(cast: Cast) -> None:
    session = add_session(cast)
    client = client_in("zh-hant", cast.counsellor)
    files = [
        SimpleUploadedFile("紀錄.pdf", corpus.pdf(), content_type="application/pdf"),
        SimpleUploadedFile("白板.png", corpus.png(), content_type="image/png"),
    ]
    response = client.post(_url(session), {"files": files})
    assert response.status_code == 201, response.content
    names = sorted(a["name"] for a in response.json()["attachments"])
    assert names == ["白板.png", "紀錄.pdf"]
    stored = CounsellingAttachment.objects.filter(session=session).select_related("stored_file").first()
    assert stored is not None
    url = reverse("api-v1:counselling_session_attachment", kwargs={"pk": session.pk, "file_id": stored.stored_file_id})
    student = client_in("zh-hant", cast.p.student_user)
    assert student.get(url).status_code == 200
    assert client_in("zh-hant", cast.p.parent).get(url).status_code == 404
    assert client_in("zh-hant", cast.p.subject_teacher).get(url).status_code == 404


def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_attached(cast: Cast) -> None:
    session = add_session(cast)
    client = client_in("zh-hant", cast.counsellor)
    fake = SimpleUploadedFile("紀錄.pdf", corpus.HTML, content_type="application/pdf")
    good = SimpleUploadedFile("ok.pdf", corpus.pdf(), content_type="application/pdf")
    response = client.post(_url(session), {"files": [good, fake]})
    assert response.status_code == 422
    assert "紀錄.pdf" in response.json()["detail"]
    assert not CounsellingAttachment.objects.filter(session=session).exists()
    mp3 = SimpleUploadedFile("a.mp3", corpus.mp3(), content_type="audio/mpeg")
    assert client.post(_url(session), {"files": [mp3]}).status_code == 422


def test_readers_who_may_not_change_get_403_and_others_404(cast: Cast) -> None:
    session = add_session(cast)
    pdf = lambda: SimpleUploadedFile("a.pdf", corpus.pdf(), content_type="application/pdf")  # noqa: E731
    assert client_in("zh-hant", cast.p.student_user).post(_url(session), {"files": [pdf()]}).status_code == 403
    assert client_in("zh-hant", cast.p.homeroom_teacher).post(_url(session), {"files": [pdf()]}).status_code == 403
    assert client_in("zh-hant", cast.p.subject_teacher).post(_url(session), {"files": [pdf()]}).status_code == 404
    assert client_in("zh-hant", cast.guidance).post(_url(session), {"files": [pdf()]}).status_code == 201


def test_a_sealed_students_sessions_are_read_only(cast: Cast) -> None:
    session = add_session(cast)
    Student.objects.filter(pk=cast.p.student.pk).update(sealed_at=timezone.now())
    student = Student.objects.get(pk=cast.p.student.pk)
    client = client_in("zh-hant", cast.counsellor)
    response = client.post(
        _url(session), {"files": [SimpleUploadedFile("a.pdf", corpus.pdf(), content_type="application/pdf")]}
    )
    assert response.status_code == 422 and "封存" in response.json()["detail"]
    with pytest.raises(ServiceError):
        services.counselling_session_delete(actor=Actor(user=cast.counsellor), session=session)
    with pytest.raises(ServiceError):
        add_session(cast, student)
    assert CounsellingSession.objects.filter(pk=session.pk).exists()
    # The page's delete refuses too, and the detail page still shows it.
    client.post(reverse("counselling:delete", kwargs={"pk": session.pk}))
    assert CounsellingSession.objects.filter(pk=session.pk).exists()
    assert client.get(reverse("counselling:detail", kwargs={"pk": session.pk})).status_code == 200
