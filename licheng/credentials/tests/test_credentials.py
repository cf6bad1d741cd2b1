"""Credentials through the pages: a certification issues one, the student downloads it, anyone
verifies it at /verify/; a changed byte, a revocation, an expiry, an unknown key and a file that is
not the certified one each get their own verdict."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from jwcrypto import jwk, jws

from licheng.audit.models import AuditEntry
from licheng.credentials import keys, verify
from licheng.credentials.models import Credential, IssuerKey
from licheng.portfolio.models import CourseOutcome
from licheng.portfolio.tests.conftest import World, pdf_upload

pytestmark = pytest.mark.django_db


def certified(world: World, description: str = "我的報告") -> tuple[CourseOutcome, Credential]:
    p = world.p
    student = world.client(p.student_user)
    student.post(
        reverse("portfolio:my_outcomes"), {"course": p.course.pk, "description": description, "files": [pdf_upload()]}
    )
    outcome = CourseOutcome.objects.latest("pk")
    version = outcome.versions.get()
    response = world.client(p.subject_teacher).post(
        reverse("portfolio:decide", args=[version.pk]), {"decision": "pass"}
    )
    assert response.status_code == 302
    return outcome, Credential.objects.get(version=version)


def check(token: str, evidence: bytes | None = None, client: Client | None = None) -> tuple[str, str]:
    data: dict[str, Any] = {"token": token}
    if evidence is not None:
        data["evidence"] = SimpleUploadedFile("work.pdf", evidence, content_type="application/pdf")
    response = (client or Client()).post(reverse("verify"), data)
    assert response.status_code == 200
    page = response.content.decode()
    verdict = page.split('data-verdict="', 1)[1].split('"', 1)[0]
    return verdict, page


def tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    middle = len(payload) // 2
    replacement = "A" if payload[middle] != "A" else "B"
    return ".".join([header, payload[:middle] + replacement + payload[middle + 1 :], signature])


def test_certification_issues_a_credential_the_student_downloads_and_anyone_verifies(world: World) -> None:
    outcome, credential = certified(world)
    p = world.p
    student = world.client(p.student_user)
    page = student.get(reverse("portfolio:outcome_detail", args=[outcome.pk])).content.decode()
    assert reverse("credentials:download", args=[credential.pk]) in page
    assert reverse("credentials:qr", args=[credential.pk]) in page
    token = student.get(reverse("credentials:download", args=[credential.pk])).content.decode()
    assert token == credential.token
    qr = student.get(reverse("credentials:qr", args=[credential.pk]))
    assert qr["Content-Type"] == "image/png" and qr.content.startswith(b"\x89PNG")

    # An Open Badges 3.0 credential with a pseudonymous subject and the files' hashes as evidence.
    claims = json.loads(keys.b64url_decode(token.split(".")[1]))
    vc = claims["vc"]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["credentialSubject"]["achievement"]["name"] == p.course.subject_name
    assert p.student.name not in json.dumps(vc, ensure_ascii=False)
    stored = outcome.versions.get().outcome_files.get().stored_file
    assert f"SHA-256 {stored.sha256}" in json.dumps(vc)
    assert vc["credentialStatus"]["statusListIndex"] == str(credential.status_index)
    assert AuditEntry.objects.filter(action="credential.issue", object_id=str(credential.pk)).exists()

    # /verify/ needs no login and says in Chinese who certified what and when.
    verdict, page = check(token)
    assert verdict == "ok"
    assert "有效" in page and p.school.name in page and p.course.subject_name in page
    assert p.subject_teacher.name in page and "認證" in page

    # The certified file matches; another file does not.
    with default_storage.open(stored.storage_name) as f:
        original = f.read()
    verdict, page = check(token, evidence=original)
    assert verdict == "ok" and "essay.pdf" in page
    verdict, page = check(token, evidence=original + b"\n")
    assert verdict == "evidence_mismatch" and "SHA-256" in page

    # The QR code's link shows the verdict for the stored credential.
    response = Client().get(reverse("verify") + f"?id={credential.uuid}")
    assert 'data-verdict="ok"' in response.content.decode()


def test_one_changed_byte_breaks_the_signature(world: World) -> None:
    _outcome, credential = certified(world)
    verdict, page = check(tamper(credential.token))
    assert verdict == "bad_signature" and "簽章不符" in page
    signature_changed = credential.token[:-3] + ("A" if credential.token[-3] != "A" else "B") + credential.token[-2:]
    assert check(signature_changed)[0] == "bad_signature"
    assert check("not a credential")[0] == "malformed"


def test_revoked_credential_says_so_and_is_in_the_status_list(world: World) -> None:
    outcome, credential = certified(world)
    p = world.p
    # Only the course's teacher (or proxy) may revoke; the student may not, and a reason is needed.
    world.client(p.student_user).post(reverse("credentials:revoke", args=[credential.pk]), {"reason": "x"})
    teacher = world.client(p.subject_teacher)
    teacher.post(reverse("credentials:revoke", args=[credential.pk]), {"reason": ""})
    credential.refresh_from_db()
    assert credential.revoked_at is None
    assert check(credential.token)[0] == "ok"
    page = teacher.get(reverse("portfolio:outcome_detail", args=[outcome.pk])).content.decode()
    assert reverse("credentials:revoke", args=[credential.pk]) in page
    teacher.post(reverse("credentials:revoke", args=[credential.pk]), {"reason": "發現非本人作品"})
    credential.refresh_from_db()
    assert credential.revoked_at is not None
    verdict, page = check(credential.token)
    assert verdict == "revoked" and "撤銷" in page and "發現非本人作品" in page

    status = Client().get(reverse("credentials:status_list", args=[p.school.code]))
    assert status.status_code == 200
    key_set = Client().get(reverse("credentials:jwks", args=[p.school.code])).json()
    public = jwk.JWK(**key_set["keys"][0])
    signed = jws.JWS()
    signed.deserialize(status.content.decode())
    signed.verify(public, alg="EdDSA")  # the list is signed with the published key
    encoded = json.loads(signed.payload)["vc"]["credentialSubject"]["encodedList"]
    assert keys.status_bit(encoded, credential.status_index)
    assert not keys.status_bit(encoded, (credential.status_index + 1) % 131072)


def test_published_jwks_verifies_the_credential_offline(world: World) -> None:
    _outcome, credential = certified(world)
    key_set = Client().get(reverse("credentials:jwks", args=[world.p.school.code])).json()
    assert set(key_set["keys"][0]) >= {"kty", "crv", "x", "kid"} and "d" not in key_set["keys"][0]
    signed = jws.JWS()
    signed.deserialize(credential.token)
    signed.verify(jwk.JWK(**key_set["keys"][0]), alg="EdDSA")
    # The private key is stored encrypted, not as a JWK in clear.
    stored = IssuerKey.objects.get(school=world.p.school)
    assert '"d"' not in stored.private_jwk_cipher


def test_unknown_key_and_expired(world: World) -> None:
    _outcome, credential = certified(world)
    payload = keys.b64url_decode(credential.token.split(".")[1])
    stranger = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    forged = jws.JWS(payload)
    forged.add_signature(stranger, alg="EdDSA", protected={"alg": "EdDSA", "kid": f"{world.p.school.code}-forged"})
    verdict, page = check(forged.serialize(compact=True))
    assert verdict == "unknown_key" and "未公布" in page
    assert credential.expires_at is not None
    later = credential.expires_at + datetime.timedelta(days=1)
    assert verify.verify_token(credential.token, now=later).code == "expired"
    assert verify.verify_token(credential.token, now=credential.expires_at - datetime.timedelta(days=1)).ok


def test_a_newer_certified_version_supersedes_the_old_credential(world: World) -> None:
    outcome, first = certified(world)
    p = world.p
    world.client(p.student_user).post(reverse("portfolio:outcome_edit", args=[outcome.pk]), {"description": "修訂版"})
    second_version = outcome.versions.get(number=2)
    world.client(p.subject_teacher).post(reverse("portfolio:decide", args=[second_version.pk]), {"decision": "pass"})
    first.refresh_from_db()
    second = Credential.objects.get(version=second_version)
    assert first.revoked_at is not None and second.revoked_at is None
    verdict, page = check(first.token)
    assert verdict == "revoked" and "較新版本" in page
    assert check(second.token)[0] == "ok"


def test_credential_file_upload_and_rate_limit(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _outcome, credential = certified(world)
    client = Client()
    upload = SimpleUploadedFile("credential.jwt", credential.token.encode(), content_type="application/jwt")
    page = client.post(reverse("verify"), {"credential": upload}).content.decode()
    assert 'data-verdict="ok"' in page
    page = client.post(reverse("verify"), {"credential": SimpleUploadedFile("x.jwt", b"\xff\xfe")}).content.decode()
    assert 'data-verdict="malformed"' in page
    from licheng.credentials import views

    monkeypatch.setattr(views, "VERIFY_PER_MINUTE", 2)  # two checks made already
    response = client.post(reverse("verify"), {"token": credential.token})
    assert response.status_code == 429 and "稍候一分鐘" in response.content.decode()
