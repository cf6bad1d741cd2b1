"""Checking a credential: the one place that says whether a VC-JWT is good and, if not, why.

Order of the checks (the first failure is the verdict): readable compact JWS → the key named in
the header is one a school on this deployment published → the signature holds (a changed byte
anywhere in header or payload fails here) → the issuer in the payload is that key's school →
not revoked in the school's status list → not expired → (optionally) the offered file's SHA-256 is
one of the evidence hashes.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from licheng.credentials import keys
from licheng.credentials.models import Credential, IssuerKey

# A credential is a few kilobytes; anything much bigger is not one of ours.
MAX_TOKEN_BYTES = 64 * 1024

OK = "ok"
MALFORMED = "malformed"
UNKNOWN_KEY = "unknown_key"
BAD_SIGNATURE = "bad_signature"
WRONG_ISSUER = "wrong_issuer"
REVOKED = "revoked"
EXPIRED = "expired"
EVIDENCE_MISMATCH = "evidence_mismatch"


@dataclasses.dataclass
class Verdict:
    code: str
    message: str
    school: str = ""
    school_code: str = ""
    course: str = ""
    course_code: str = ""
    term: str = ""
    certification: str = ""
    issued_at: datetime.datetime | None = None
    expires_at: datetime.datetime | None = None
    revoked_at: datetime.datetime | None = None
    evidence: list[dict[str, str]] = dataclasses.field(default_factory=list)
    evidence_matched: str = ""

    @property
    def ok(self) -> bool:
        return self.code == OK


def _fail(code: str, message: str, **details: Any) -> Verdict:
    return Verdict(code=code, message=message, **details)


def _header(token: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return None
    try:
        header = json.loads(keys.b64url_decode(parts[0]))
    except (ValueError, UnicodeDecodeError):
        return None
    return header if isinstance(header, dict) else None


def _details(vc: dict[str, Any]) -> dict[str, Any]:
    subject = vc.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    issuer = vc.get("issuer") or {}
    evidence = [e for e in vc.get("evidence") or [] if isinstance(e, dict)]
    files = [
        {"name": str(e.get("name", "")), "sha256": str(e.get("description", "")).removeprefix("SHA-256 ")}
        for e in evidence
        if str(e.get("id", "")).startswith("ni:///sha-256;")
    ]
    certification = next((str(e.get("narrative", "")) for e in evidence if e.get("narrative")), "")
    codes = [i.get("identifier", "") for i in issuer.get("otherIdentifier") or [] if isinstance(i, dict)]
    return {
        "school": str(issuer.get("name", "")),
        "school_code": str(codes[0]) if codes else "",
        "course": str(achievement.get("name", "")),
        "course_code": str(achievement.get("humanCode", "")),
        "term": "、".join(str(t) for t in achievement.get("tag") or []),
        "certification": certification,
        "evidence": files,
    }


def _when(timestamp: Any) -> datetime.datetime | None:
    if not isinstance(timestamp, (int, float)):
        return None
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)


def verify_token(token: str, *, evidence_hashes: Iterable[str] = (), now: datetime.datetime | None = None) -> Verdict:
    """The verdict on ``token``; ``evidence_hashes``: SHA-256 (hex) of files offered with it."""
    token = (token or "").strip()
    if not token:
        return _fail(MALFORMED, _("Paste a credential or choose a credential file."))
    if len(token.encode()) > MAX_TOKEN_BYTES:
        return _fail(MALFORMED, _("This is too large to be a credential (at most 64 KB)."))
    header = _header(token)
    if header is None or header.get("alg") != keys.ALG:
        return _fail(MALFORMED, _("This is not a credential this page can read (a signed VC-JWT, EdDSA)."))
    with scopes_disabled():
        key = IssuerKey.objects.select_related("school").filter(kid=str(header.get("kid", ""))).first()
    if key is None:
        return _fail(
            UNKNOWN_KEY,
            _("It was signed with a key no school on this site has published: it cannot be trusted here."),
        )
    if not keys.signature_valid(token, key.public_jwk):
        return _fail(
            BAD_SIGNATURE,
            _("The signature does not match: the credential was changed after %(school)s signed it.")
            % {"school": key.school.name},
        )
    try:
        claims = json.loads(keys.b64url_decode(token.split(".")[1]))
        vc = claims["vc"]
        details = _details(vc)
    except (ValueError, KeyError, TypeError, AttributeError):
        return _fail(MALFORMED, _("The credential is signed but its content cannot be read."))
    issued_at, expires_at = _when(claims.get("iat")), _when(claims.get("exp"))
    details.update(issued_at=issued_at, expires_at=expires_at)
    # The path, not the host: a school that moved to another deployment keeps its keys and credentials.
    issuer_path = reverse("credentials:issuer", args=[key.school.code])
    if not str(claims.get("iss", "")).endswith(issuer_path) or details["school_code"] != key.school.code:
        return _fail(
            WRONG_ISSUER,
            _("The key belongs to %(school)s but the credential names another issuer.") % {"school": key.school.name},
            **details,
        )
    status = vc.get("credentialStatus") or {}
    index = str(status.get("statusListIndex", "")) if isinstance(status, dict) else ""
    status_path = reverse("credentials:status_list", args=[key.school.code])
    if not index.isdigit() or not str(status.get("statusListCredential", "")).endswith(status_path):
        return _fail(MALFORMED, _("The credential has no revocation status entry of its school."), **details)
    with scopes_disabled():
        # The same bit the published status list carries.
        revoked = Credential.objects.filter(
            school=key.school, status_index=int(index), revoked_at__isnull=False
        ).first()
    if revoked is not None:
        details["revoked_at"] = revoked.revoked_at
        reason = (
            _("a newer version of the work was certified")
            if revoked.revoked_reason == "superseded"
            else revoked.revoked_reason
        )
        return _fail(
            REVOKED,
            _("%(school)s revoked this credential on %(date)s: %(reason)s.")
            % {"school": key.school.name, "date": _roc(revoked.revoked_at), "reason": reason},
            **details,
        )
    now = now or timezone.now()
    if expires_at is not None and now >= expires_at:
        return _fail(EXPIRED, _("This credential expired on %(date)s.") % {"date": _roc(expires_at)}, **details)
    offered = [h.lower() for h in evidence_hashes]
    if offered:
        known = {f["sha256"].lower() for f in details["evidence"]}
        matched = [h for h in offered if h in known]
        if not matched:
            return _fail(
                EVIDENCE_MISMATCH,
                _(
                    "The signature is good, but the file you gave is not the certified work: its SHA-256 "
                    "matches none of the files the credential names."
                ),
                **details,
            )
        details["evidence_matched"] = next(f["name"] for f in details["evidence"] if f["sha256"].lower() == matched[0])
    return Verdict(
        code=OK,
        message=_("Valid: %(school)s certified %(course)s (%(term)s). %(certification)s")
        % {
            "school": details["school"],
            "course": details["course"],
            "term": details["term"],
            "certification": details["certification"],
        },
        **details,
    )


def _roc(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.year - 1911}.{local.month:02d}.{local.day:02d}"


def sha256_of(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()
