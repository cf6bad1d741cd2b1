"""QR codes (PNG) of a credential's verify link."""

from __future__ import annotations

import io

import qrcode
from django.urls import reverse

from licheng.credentials import keys
from licheng.credentials.models import Credential


def verify_link(credential: Credential) -> str:
    return keys.site_url() + reverse("verify") + f"?id={credential.uuid}"


def qr_png(link: str) -> bytes:
    image = qrcode.make(link, box_size=8, border=4)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
