"""Verifiable credentials (Open Badges 3.0 ``OpenBadgeCredential`` as VC-JWT, Ed25519) for
certified course-outcome versions, the school keys that sign them and the revocation status list.

- ``IssuerKey``: one Ed25519 key pair per school. The private key is encrypted at rest with the
  deployment's field key (``LICHENG_FIELD_KEY``, the key national IDs are encrypted with); the
  public key is published as JWKS at ``/credentials/<school code>/jwks.json``.
- ``Credential``: one per passed version; ``status_index`` is its bit in the school's Bitstring
  Status List (``/credentials/<school code>/status/revocation``).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.schools.models import School

# Bits in a school's status list: the Bitstring Status List minimum (16 KiB), for herd privacy.
STATUS_LIST_SIZE = 131072


class IssuerKey(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kid = models.CharField(max_length=80, unique=True, help_text="JWK thumbprint (RFC 7638)")
    public_jwk = models.JSONField()
    private_jwk_cipher = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True, help_text="no longer signs; still published")

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("credential signing key")

    def __str__(self) -> str:
        return f"{self.school_id}:{self.kid}"


class Credential(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.OneToOneField(
        "portfolio.CourseOutcomeVersion", on_delete=models.CASCADE, related_name="credential"
    )
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="+")
    key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="credentials")
    status_index = models.PositiveIntegerField()
    token = models.TextField(help_text="the signed VC-JWT (compact serialisation)")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("verifiable credential")
        constraints = [
            models.UniqueConstraint(fields=["school", "status_index"], name="credential_status_index_unique")
        ]

    def __str__(self) -> str:
        return f"urn:uuid:{self.uuid}"
