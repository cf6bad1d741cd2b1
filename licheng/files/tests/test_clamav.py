"""Virus scanning through a fake clamd on a unix socket; the status page for school admins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from licheng.files.models import StoredFile
from licheng.files.services import FileRejected
from licheng.files.tests import corpus
from licheng.files.tests.conftest import FakeClamd, listing
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def eicar_pdf() -> bytes:
    def add(document: Any) -> None:
        document.Root.Payload = document.make_stream(corpus.EICAR)

    return corpus.pdf(extra=add, compress_streams=False)


def test_clean_file_is_scanned_and_marked_clean(ingest: Any, clamd: FakeClamd) -> None:
    data = corpus.pdf()
    stored = ingest("a.pdf", data)
    assert stored.scan_status == "clean"
    assert clamd.received == [data]


def test_infected_file_is_refused(ingest: Any, clamd: FakeClamd, storage_root: Path) -> None:
    with translation.override("en"), pytest.raises(FileRejected, match="Eicar-Signature"):
        ingest("virus.pdf", eicar_pdf())
    assert not StoredFile.objects.exists()
    assert listing(storage_root) == set()


def test_unreachable_scanner_refuses_uploads(
    ingest: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, storage_root: Path
) -> None:
    monkeypatch.setenv("LICHENG_CLAMAV_SOCKET", str(tmp_path / "nobody-listens.sock"))
    with translation.override("en"), pytest.raises(FileRejected, match="try again later"):
        ingest("a.pdf", corpus.pdf())
    assert listing(storage_root) == set()


def test_status_page_says_when_scanning_is_off(personas: Personas, ingest: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("LICHENG_CLAMAV_SOCKET", raising=False)
    monkeypatch.delenv("LICHENG_CLAMAV_HOST", raising=False)
    ingest("a.pdf", corpus.pdf())
    ingest("b.mp3", corpus.mp3())
    page = client_in("en", personas.school_admin).get("/files/status/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Virus scanning is not configured" in text
    assert "<td>2</td>" in text  # two files
    zh = client_in("zh-hant", personas.school_admin).get("/files/status/").content.decode()
    assert "Virus scanning is not configured" not in zh


def test_status_page_with_scanner(personas: Personas, clamd: FakeClamd) -> None:
    text = client_in("en", personas.school_admin).get("/files/status/").content.decode()
    assert "scanned by ClamAV" in text
    assert "The scanner answers." in text


def test_status_page_is_for_school_admins(personas: Personas) -> None:
    assert client_in("en", personas.registry).get("/files/status/").status_code == 403
    assert client_in("en", personas.student_user).get("/files/status/").status_code == 403
