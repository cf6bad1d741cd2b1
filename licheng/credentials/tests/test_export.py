"""The student's portfolio export carries their credentials, the school's key set and an offline
verifier page that checks the signatures and a file's hash in the browser, without a network."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from jwcrypto import jwk, jws

from licheng.credentials.models import Credential
from licheng.credentials.tests.test_credentials import certified
from licheng.portfolio.models import PortfolioExport
from licheng.portfolio.tests.conftest import World


def exported_zip(world: World, capture: Any) -> zipfile.ZipFile:
    client = world.client(world.p.student_user)
    with capture(execute=True):
        assert client.post("/portfolio/exports/").status_code == 302
    export = PortfolioExport.objects.get()
    response = client.get(f"/portfolio/exports/{export.pk}/download/")
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_export_ships_credentials_and_the_key_set(world: World, django_capture_on_commit_callbacks: Any) -> None:
    _outcome, credential = certified(world)
    archive = exported_zip(world, django_capture_on_commit_callbacks)
    names = set(archive.namelist())
    tokens = [n for n in names if n.startswith("credentials/") and n.endswith(".jwt")]
    assert len(tokens) == 1 and archive.read(tokens[0]).decode() == credential.token
    assert {"credentials/jwks.json", "credentials/verify.html"} <= names
    assert any(n.endswith("-qr.png") for n in names)
    import json

    key_set = json.loads(archive.read("credentials/jwks.json"))
    signed = jws.JWS()
    signed.deserialize(credential.token)
    signed.verify(jwk.JWK(**key_set["keys"][0]), alg="EdDSA")
    manifest = archive.read("manifest-sha256.txt").decode()
    for name in (tokens[0], "credentials/jwks.json", "credentials/verify.html"):
        assert f"{hashlib.sha256(archive.read(name)).hexdigest()}  {name}" in manifest
    assert "credentials/verify.html" in archive.read("index.html").decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_offline_verifier_checks_signature_and_file(
    world: World, django_capture_on_commit_callbacks: Any, phone_page: Any, tmp_path: Path, screenshot_dir: Path
) -> None:
    outcome, credential = certified(world)
    archive = exported_zip(world, django_capture_on_commit_callbacks)
    archive.extractall(tmp_path / "export")
    page = phone_page
    page.goto((tmp_path / "export" / "credentials" / "verify.html").as_uri())
    result = page.locator("#credentials .result").first
    result.wait_for()
    page.wait_for_function("document.querySelector('#credentials .result').textContent !== '…'")
    assert "簽章有效" in result.inner_text()
    stored = outcome.versions.get().outcome_files.get().stored_file
    with default_storage.open(stored.storage_name) as f:
        (tmp_path / "work.pdf").write_bytes(f.read())
    (tmp_path / "other.pdf").write_bytes(b"%PDF-1.4 something else")
    page.set_input_files("#evidence", str(tmp_path / "work.pdf"))
    page.wait_for_function("document.getElementById('evidence-result').textContent !== ''")
    assert "此檔案已由" in page.inner_text("#evidence-result")
    page.set_input_files("#evidence", str(tmp_path / "other.pdf"))
    page.wait_for_function("document.getElementById('evidence-result').className === 'bad'")
    assert "不相符" in page.inner_text("#evidence-result")
    page.screenshot(path=str(screenshot_dir / "credentials-offline-verify.png"), full_page=True)
    assert Credential.objects.filter(pk=credential.pk, revoked_at__isnull=True).exists()
