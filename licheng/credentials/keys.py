"""School signing keys (Ed25519 through ``jwcrypto``), JWKS, compact VC-JWT signing, and the
Bitstring Status List encoding.

A school's key pair is made the first time the school issues a credential. The private JWK is
stored encrypted with ``licheng.people.crypto`` (Fernet under ``LICHENG_FIELD_KEY``, like national
IDs): a database dump alone cannot sign. Losing the field key loses the ability to sign new
credentials, never the ability to verify old ones (the public keys are stored in clear).
"""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from django.conf import settings
from django.urls import reverse
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from licheng.credentials.models import STATUS_LIST_SIZE, IssuerKey
from licheng.people import crypto
from licheng.schools.models import School

ALG = "EdDSA"


def site_url() -> str:
    """Where the published URLs in a credential point (``LICHENG_SITE_URL``, else the dev server)."""
    return settings.LICHENG_SITE_URL or "http://127.0.0.1:8000"


def issuer_url(school: School) -> str:
    return site_url() + reverse("credentials:issuer", args=[school.code])


def jwks_url(school: School) -> str:
    return site_url() + reverse("credentials:jwks", args=[school.code])


def status_list_url(school: School) -> str:
    return site_url() + reverse("credentials:status_list", args=[school.code])


def signing_key(school: School) -> IssuerKey:
    """The school's current key, made (and stored encrypted) on first use. Caller holds a transaction."""
    key = IssuerKey.objects.filter(school=school, retired_at__isnull=True).order_by("-created_at", "-pk").first()
    if key is not None:
        return key
    pair = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    kid = f"{school.code}-{pair.thumbprint()}"
    public = {**pair.export_public(as_dict=True), "kid": kid, "alg": ALG, "use": "sig"}
    return IssuerKey.objects.create(
        school=school,
        kid=kid,
        public_jwk=public,
        private_jwk_cipher=crypto.encrypt(pair.export_private()),
    )


def jwks(school: School) -> dict[str, Any]:
    """Every key the school ever signed with (old credentials stay verifiable after a rotation)."""
    return {"keys": [k.public_jwk for k in IssuerKey.objects.filter(school=school).order_by("created_at", "pk")]}


def sign(key: IssuerKey, claims: dict[str, Any]) -> str:
    private = jwk.JWK.from_json(crypto.decrypt(key.private_jwk_cipher))
    token = jws.JWS(json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode())
    token.add_signature(private, alg=ALG, protected={"alg": ALG, "kid": key.kid, "typ": "JWT"})
    return str(token.serialize(compact=True))


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def signature_valid(token: str, public_jwk: dict[str, Any]) -> bool:
    verifier = jws.JWS()
    try:
        verifier.deserialize(token)
        verifier.verify(jwk.JWK(**public_jwk), alg=ALG)
    except (JWException, ValueError, TypeError):
        return False
    return True


def encode_status_list(revoked: set[int], size: int = STATUS_LIST_SIZE) -> str:
    """Bitstring Status List ``encodedList``: GZIP of the bits (index 0 = the first byte's highest
    bit), base64url without padding, multibase prefix ``u``."""
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")


def status_bit(encoded: str, index: int) -> bool:
    bits = gzip.decompress(b64url_decode(encoded.removeprefix("u")))
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
