"""The personal export: a ZIP that verifies against its manifest, holds every stored file unchanged,
opens offline with links that resolve inside it, and a PDF summary with the CJK font embedded."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
import urllib.parse
import zipfile
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from licheng.audit.services import Actor
from licheng.files.models import StoredFile
from licheng.files.tests import corpus
from licheng.performances import services as performance_services
from licheng.portfolio import services
from licheng.portfolio.export import purge_expired_exports, safe_name
from licheng.portfolio.models import ExportStatus, PortfolioExport
from licheng.portfolio.tests.conftest import World, pdf_upload, png_upload
from licheng.records.models import CadreRole
from licheng.testing.factories import StudentFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db


def _fill(world: World) -> None:
    """A passed and a not-passed course outcome, a performance with a file, a writing with an
    attachment, and a cadre role entered by the office."""
    p = world.p
    student = Actor(user=p.student_user)
    passed = services.course_outcome_upload(
        actor=student, student=p.student, course=p.course, description="閱讀心得", uploads=[pdf_upload("心得 報告.pdf")]
    )
    failed = services.course_outcome_upload(
        actor=student, student=p.student, course=p.course, description="海報", uploads=[png_upload("海報.png")]
    )
    teacher = Actor(user=p.subject_teacher)
    services.course_outcome_decide(actor=teacher, version=passed.versions.get(), passed=True)
    services.ensure_default_reasons(p.school)
    from licheng.portfolio.models import CertificationReason

    reason = CertificationReason.objects.get(school=p.school, code="01")
    services.course_outcome_decide(actor=teacher, version=failed.versions.get(), passed=False, reason=reason)
    performance_services.performance_create(
        actor=student,
        school=p.school,
        kind=8,
        description="校刊封面設計",
        fields={"name": "校刊封面", "date": "2025-10-01"},
        uploads=[SimpleUploadedFile("封面.pdf", corpus.pdf(text="cover"))],
    )
    performance_services.writing_save(
        actor=student,
        school=p.school,
        kind="reflection",
        sections={"self_awareness": "<p>我喜歡<strong>設計</strong></p>"},
        attachment=SimpleUploadedFile("反思.png", corpus.png(color=(10, 200, 10))),
    )
    CadreRole.objects.create(
        school=p.school,
        student=p.student,
        academic_year=114,
        term=1,
        unit="101班",
        post="學藝股長",
        level=2,
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 1, 20),
    )


def _request(world: World, user: Any, django_capture_on_commit_callbacks: Any, url: str = "/portfolio/exports/") -> Any:
    client = world.client(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302, response.content
    return client


def _zip_of(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.hrefs.append(value)


def test_student_exports_a_zip_that_verifies(world: World, django_capture_on_commit_callbacks: Any) -> None:
    _fill(world)
    client = _request(world, world.p.student_user, django_capture_on_commit_callbacks)
    export = PortfolioExport.objects.get()
    assert export.status == ExportStatus.DONE and export.progress_done == export.progress_total > 3
    page = client.get("/portfolio/exports/").content.decode()
    assert "Download the ZIP" in page and "7 days" in page

    response = client.get(f"/portfolio/exports/{export.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == export.sha256
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = archive.namelist()
    assert len(names) == len(set(names))
    assert {"index.html", "records.json", "summary.pdf", "manifest-sha256.txt"} <= set(names)

    # The manifest lists every other entry once, in `sha256sum -c` format, and each hash holds.
    manifest = archive.read("manifest-sha256.txt").decode()
    listed: dict[str, str] = {}
    for line in manifest.splitlines():
        match = re.fullmatch(r"([0-9a-f]{64})  (.+)", line)
        assert match, line
        listed[match.group(2)] = match.group(1)
    assert set(listed) == set(names) - {"manifest-sha256.txt"}
    for name, sha256 in listed.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == sha256, name

    # Every stored file of the student is inside, byte for byte.
    stored = StoredFile.objects.filter(school=world.p.school)
    assert stored.count() == 4
    assert {f.sha256 for f in stored} <= set(listed.values())
    file_entries = [n for n in names if n.startswith("files/")]
    assert len(file_entries) == 4
    assert any(n.endswith("心得 報告.pdf") for n in file_entries)

    # index.html: Traditional Chinese, self-contained, every local link resolves inside the ZIP.
    index = archive.read("index.html").decode()
    assert 'lang="zh-Hant"' in index and "陳小明" in index and "課程學習成果" in index
    assert "閱讀心得" in index and "海報" in index and "學藝股長" in index
    assert "<script" not in index and "stylesheet" not in index and "://" not in index.split("<body>")[0]
    parser = _Links()
    parser.feed(index)
    local = [h for h in parser.hrefs if not h.startswith(("#", "http://", "https://"))]
    assert len(local) >= 7
    for href in local:
        assert urllib.parse.unquote(href) in names, href

    # records.json: the certification states and reason, ISO and ROC dates.
    data = json.loads(archive.read("records.json"))
    states = {o["versions"][0]["description"]: o["versions"][0] for o in data["course_outcomes"]}
    assert states["閱讀心得"]["state"] == "passed"
    assert states["海報"]["state"] == "not_passed" and states["海報"]["reason_code"] == "01"
    assert re.fullmatch(r"\d{3}\.\d{2}\.\d{2}", states["閱讀心得"]["decided_at"]["roc"])
    assert data["performances"][0]["files"][0]["path"] in names
    assert data["writings"][0]["sections"]
    cadre = data["records"]["cadre_roles"][0]
    assert cadre["starts_on"] == "2025-09-01" and cadre["starts_on_roc"] == "114.09.01"


def test_summary_pdf_embeds_its_cjk_font(world: World, django_capture_on_commit_callbacks: Any) -> None:
    import pikepdf
    import pypdfium2 as pdfium

    _fill(world)
    client = _request(world, world.p.student_user, django_capture_on_commit_callbacks)
    export = PortfolioExport.objects.get()
    response = client.get(f"/portfolio/exports/{export.pk}/summary/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    document = pdfium.PdfDocument(pdf)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "陳小明" in text and "閱讀心得" in text
    fonts = []
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        for page in opened.pages:
            for font in page.resources.get("/Font", {}).values():
                descendants = font.get("/DescendantFonts")
                target = descendants[0] if descendants else font
                descriptor: Any = target.get("/FontDescriptor")
                fonts.append(
                    (
                        str(target.get("/BaseFont")),
                        any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")),
                    )
                )
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    assert any("CJK" in name for name, _embedded in fonts), fonts


def test_who_may_download(world: World, django_capture_on_commit_callbacks: Any) -> None:
    p = world.p
    _request(world, p.student_user, django_capture_on_commit_callbacks)
    export = PortfolioExport.objects.get()
    other = StudentFactory.create(school_class=p.school_class, user=UserFactory.create(school=p.school))
    guidance = make_staff(p.school, "guidance", username="guidance")
    urls = [f"/portfolio/exports/{export.pk}/{part}/" for part in ("download", "summary", "status")]
    for user, expected in [
        (p.student_user, 200),
        (p.parent, 200),
        (p.registry, 200),
        (guidance, 200),
        (other.user, 404),
        (p.subject_teacher, 404),
        (p.homeroom_teacher, 404),
        (p.outsider, 404),
    ]:
        client = world.client(user)
        for url in urls:
            assert client.get(url).status_code == expected, (user.username, url)
    # Another student cannot ask for this student's export either.
    client = world.client(other.user)
    assert client.post(f"/portfolio/students/{p.student.pk}/exports/").status_code == 404
    assert PortfolioExport.objects.count() == 1


def test_parent_and_staff_request_for_the_student(world: World, django_capture_on_commit_callbacks: Any) -> None:
    p = world.p
    _request(world, p.parent, django_capture_on_commit_callbacks, f"/portfolio/students/{p.student.pk}/exports/")
    export = PortfolioExport.objects.get()
    assert export.student == p.student and export.requested_by == p.parent and export.status == ExportStatus.DONE
    page = world.client(p.registry).get(f"/portfolio/students/{p.student.pk}/exports/").content.decode()
    assert "Download the ZIP" in page


def test_a_running_export_is_not_started_twice(world: World) -> None:
    client = world.client(world.p.student_user)
    client.post("/portfolio/exports/")  # on-commit task not run: it stays queued
    client.post("/portfolio/exports/")
    export = PortfolioExport.objects.get()
    assert export.status == ExportStatus.QUEUED
    page = client.get("/portfolio/exports/").content.decode()
    assert f'hx-get="/portfolio/exports/{export.pk}/status/"' in page and 'hx-trigger="every 2s"' in page
    assert client.get(f"/portfolio/exports/{export.pk}/download/").status_code == 404


def test_exports_expire_after_seven_days(world: World, django_capture_on_commit_callbacks: Any) -> None:
    client = _request(world, world.p.student_user, django_capture_on_commit_callbacks)
    export = PortfolioExport.objects.get()
    assert default_storage.exists(export.file)
    PortfolioExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    assert client.get(f"/portfolio/exports/{export.pk}/download/").status_code == 404
    assert "This export has expired" in client.get("/portfolio/exports/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_exports.call() == 1
    assert not PortfolioExport.objects.exists() and not default_storage.exists(export.file)


def test_api_requests_polls_and_downloads(world: World, django_capture_on_commit_callbacks: Any) -> None:
    p = world.p
    _fill(world)
    client = world.client(p.student_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/portfolio/exports", "{}", content_type="application/json")
    assert response.status_code == 202, response.content
    export_id = response.json()["id"]
    polled = client.get(f"/api/v1/portfolio/exports/{export_id}").json()
    assert polled["status"] == "done" and polled["percent"] == 100 and polled["download_url"]
    download = client.get(polled["download_url"])
    assert download.status_code == 200
    assert "index.html" in _zip_of(download).namelist()
    other = StudentFactory.create(school_class=p.school_class, user=UserFactory.create(school=p.school))
    stranger = world.client(other.user)
    assert stranger.get(f"/api/v1/portfolio/exports/{export_id}").status_code == 404
    assert stranger.get(polled["download_url"]).status_code == 404
    refused = stranger.post(
        "/api/v1/portfolio/exports", json.dumps({"student_id": p.student.pk}), content_type="application/json"
    )
    assert refused.status_code == 404
    assert PortfolioExport.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("a\x00b\x1fc.pdf", "a_b_c.pdf"),
        (".hidden.png", "hidden.png"),
        ("x" * 300 + ".pdf", "x" * 76 + ".pdf"),
        ("C:\\Users\\me\\報告.pdf", "報告.pdf"),
        ("", "file"),
        ("what?#%.pdf", "what___.pdf"),
    ],
)
def test_safe_names(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_writings_keep_their_shape_in_the_export_page_and_pdf(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    import pypdfium2 as pdfium

    _fill(world)
    performance_services.writing_save(
        actor=Actor(user=world.p.student_user),
        school=world.p.school,
        kind="autobiography",
        sections={"strengths": "第一段**專注**。\n\n第二段：\n\n- 設計\n- 寫作 <script>alert(1)</script>"},
    )
    client = _request(world, world.p.student_user, django_capture_on_commit_callbacks)
    export = PortfolioExport.objects.get()
    archive = _zip_of(client.get(f"/portfolio/exports/{export.pk}/download/"))
    index = archive.read("index.html").decode()
    assert "<p>第一段<strong>專注</strong>。</p><p>第二段：</p><ul><li>設計</li>" in index
    assert "<script>alert(1)" not in index

    pdf = b"".join(client.get(f"/portfolio/exports/{export.pk}/summary/").streaming_content)
    document = pdfium.PdfDocument(pdf)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    # the writings themselves, the reflection too, not only their titles
    assert "第一段專注" in text and "設計" in text and "我喜歡設計" in text
    # the subject column is wide enough for a subject name on one line
    assert "國文" in text
