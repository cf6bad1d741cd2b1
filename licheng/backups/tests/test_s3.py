"""The S3 code path against a local S3-compatible endpoint (moto's server, started by the test run):
an upload through the real page is stored in the bucket, verified, served back; backups go to a
bucket of their own and scrub repairs from there."""

from __future__ import annotations

import datetime
import hashlib
import socket
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from licheng.backups.models import BackupRun, ScrubRun
from licheng.backups.tests.deployment import Deployment
from licheng.files.models import StoredFile
from licheng.files.services import file_verify
from licheng.files.tests import corpus
from licheng.portfolio.models import CourseOutcome
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas

CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, settings: Any, tmp_path: Path) -> Any:
    """A fresh primary bucket and backup bucket for each test, configured as the deployment's storages."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    suffix = hashlib.sha256(str(tmp_path).encode()).hexdigest()[:12]
    primary, backups = f"licheng-files-{suffix}", f"licheng-backups-{suffix}"
    client.create_bucket(Bucket=primary)
    client.create_bucket(Bucket=backups)
    options = {**CREDENTIALS, "endpoint_url": s3_endpoint, "file_overwrite": True, "default_acl": None}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "bucket_name": primary}},
        "backups": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "bucket_name": backups}},
    }
    client.primary, client.backups = primary, backups
    return client


def keys(s3: Any, bucket: str) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


def open_windows(p: Personas) -> None:
    today = timezone.localdate()
    p.term.upload_opens_on = today - datetime.timedelta(days=1)
    p.term.upload_closes_on = today + datetime.timedelta(days=10)
    p.term.save()


@pytest.mark.django_db
def test_upload_page_stores_in_the_bucket_verifies_and_serves_back(personas: Personas, s3: Any) -> None:
    open_windows(personas)
    data = corpus.pdf(text="S3 essay")
    client = client_in("en", personas.student_user)
    response = client.post(
        reverse("portfolio:my_outcomes"),
        {"course": personas.course.pk, "description": "雲端報告", "files": [SimpleUploadedFile("essay.pdf", data)]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = StoredFile.objects.get()
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert keys(s3, s3.primary) == {stored.storage_name}
    body = s3.get_object(Bucket=s3.primary, Key=stored.storage_name)["Body"].read()
    assert body == data
    assert file_verify(stored)

    outcome_file = CourseOutcome.objects.get().versions.get().outcome_files.get()
    assert outcome_file.stored_file == stored
    served = client.get(reverse("portfolio:file", args=[outcome_file.pk]))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == data  # type: ignore[attr-defined]
    ranged = client.get(reverse("portfolio:file", args=[outcome_file.pk]), headers={"range": "bytes=0-4"})
    assert ranged.status_code == 206 and b"".join(ranged.streaming_content) == b"%PDF-"  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_bad_object_store_write_is_refused_and_nothing_kept(personas: Personas, s3: Any, monkeypatch: Any) -> None:
    """The put succeeds but the stored object does not verify: the upload is refused and removed."""
    from storages.backends.s3 import S3Storage

    real_save = S3Storage._save

    def corrupting_save(self: S3Storage, name: str, content: Any) -> str:
        return real_save(self, name, SimpleUploadedFile("x", b"%PDF-1.4 truncated"))

    monkeypatch.setattr(S3Storage, "_save", corrupting_save)
    open_windows(personas)
    response = client_in("en", personas.student_user).post(
        reverse("portfolio:my_outcomes"),
        {"course": personas.course.pk, "description": "報告", "files": [SimpleUploadedFile("a.pdf", corpus.pdf())]},
    )
    assert "could not be saved" in response.content.decode()
    assert StoredFile.objects.count() == 0 and CourseOutcome.objects.count() == 0
    assert keys(s3, s3.primary) == set()


@pytest.mark.django_db
def test_backup_to_a_bucket_and_scrub_repairs_from_it(personas: Personas, s3: Any) -> None:
    from licheng.audit.services import Actor
    from licheng.files.services import file_ingest

    stored = file_ingest(
        actor=Actor(user=personas.student_user),
        school=personas.school,
        upload=SimpleUploadedFile("poster.png", corpus.png()),
        document_max_bytes=corpus.LIMIT,
        media_max_bytes=corpus.LIMIT,
    )
    call_command("backup", stdout=StringIO())
    run = BackupRun.objects.get()
    assert run.ok and run.files_copied == 1 and run.destination.startswith("s3://licheng-backups-")
    backed_up = keys(s3, s3.backups)
    assert f"blobs/{stored.storage_name}" in backed_up
    assert f"runs/{run.name}/manifest.json" in backed_up and f"runs/{run.name}/database.jsonl.gz" in backed_up

    call_command("backup", stdout=StringIO())
    assert BackupRun.objects.latest("id").files_copied == 0

    s3.delete_object(Bucket=s3.primary, Key=stored.storage_name)
    assert not file_verify(stored)
    out = StringIO()
    call_command("scrub", stdout=out)
    assert "repaired 1, unrecoverable 0" in out.getvalue()
    assert file_verify(stored)
    assert ScrubRun.objects.get().repaired == 1


def test_settings_turn_on_object_storage_from_the_environment(tmp_path: Path) -> None:
    environment = {
        "LICHENG_S3_BUCKET": "school-files",
        "LICHENG_S3_ENDPOINT_URL": "https://s3.example.tw",
        "LICHENG_S3_ACCESS_KEY": "AK",
        "LICHENG_S3_SECRET_KEY": "SK",
        "LICHENG_S3_REGION": "ap-northeast-1",
        "LICHENG_BACKUP_S3_BUCKET": "school-backups",
        "LICHENG_BACKUP_S3_ENDPOINT_URL": "https://backup.example.tw",
    }
    script = "import json\nfrom django.conf import settings\nprint(json.dumps(settings.STORAGES, default=str))"
    storages = Deployment(tmp_path, extra_env=environment).python(script)
    default, backups = storages["default"], storages["backups"]
    assert default["BACKEND"] == backups["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "school-files"
    assert default["OPTIONS"]["endpoint_url"] == "https://s3.example.tw"
    assert default["OPTIONS"]["region_name"] == "ap-northeast-1"
    assert backups["OPTIONS"]["bucket_name"] == "school-backups"
    assert backups["OPTIONS"]["endpoint_url"] == "https://backup.example.tw"
    assert backups["OPTIONS"]["access_key"] == "AK"  # the primary's credentials unless given


@pytest.mark.django_db
def test_an_unreachable_object_store_refuses_the_upload_with_503(personas: Personas, settings: Any) -> None:
    """Nothing listens at the store's address: the student is told the file was not saved and to try
    again (503, Retry-After), and nothing is recorded."""
    from botocore.config import Config

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **CREDENTIALS,
                "endpoint_url": f"http://127.0.0.1:{free_port()}",
                "bucket_name": "licheng-gone",
                "file_overwrite": True,
                "default_acl": None,
                "client_config": Config(connect_timeout=1, retries={"max_attempts": 1, "mode": "standard"}),
            },
        },
    }
    open_windows(personas)
    response = client_in("zh-hant", personas.student_user).post(
        reverse("portfolio:my_outcomes"),
        {"course": personas.course.pk, "description": "報告", "files": [SimpleUploadedFile("a.pdf", corpus.pdf())]},
    )
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "a.pdf: 檔案未儲存：目前無法連上檔案儲存空間。請稍候幾分鐘再試。" in response.content.decode()
    assert StoredFile.objects.count() == 0 and CourseOutcome.objects.count() == 0
