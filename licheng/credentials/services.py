"""Issuing and revoking credentials. ``credential_issue`` is called by the certification service
(``licheng.portfolio.services.course_outcome_decide``) inside its transaction when a version passes."""

from __future__ import annotations

import base64
import datetime
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.credentials import keys
from licheng.credentials.models import STATUS_LIST_SIZE, Credential
from licheng.people import crypto
from licheng.people.models import Student
from licheng.portfolio.models import CourseOutcomeVersion, VersionState
from licheng.portfolio.selectors import certifier_map

OB3_CONTEXT = [
    "https://www.w3.org/2018/credentials/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
SUPERSEDED = "superseded"


def valid_years() -> int:
    """How long a credential is valid (``LICHENG_CREDENTIAL_VALID_YEARS``; 0: no expiry)."""
    return int(getattr(settings, "CREDENTIAL_VALID_YEARS", 10))


def subject_id(student: Student) -> str:
    """A pseudonym for the student: keyed hash (the field key) of school code and the national-ID
    digest, so it is stable for the student and reveals neither their ID nor their database row."""
    return "urn:licheng:student:" + crypto.digest(f"CREDENTIAL:{student.school.code}:{student.national_id_digest}")[:32]


def _ni(sha256_hex: str) -> str:
    """RFC 6920 named-information URI of a SHA-256."""
    return "ni:///sha-256;" + base64.urlsafe_b64encode(bytes.fromhex(sha256_hex)).decode().rstrip("=")


def _iso(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_claims(
    credential: Credential, version: CourseOutcomeVersion, *, expires_at: datetime.datetime | None
) -> dict[str, Any]:
    outcome = version.outcome
    course, term, student, school = outcome.course, outcome.term, outcome.student, outcome.school
    certifier = version.decided_by
    principal = version.decided_on_behalf_of
    decided_at = version.decided_at
    assert certifier is not None and decided_at is not None
    local = timezone.localtime(decided_at)
    with translation.override("zh-hant"):
        if principal is not None:
            who = _("%(proxy)s, as proxy for %(teacher)s") % {"proxy": certifier.name, "teacher": principal.name}
        else:
            who = certifier.name
        narrative = _("Certified by %(who)s on %(date)s as the student's own work for this course.") % {
            "who": who,
            "date": f"{local.year - 1911}.{local.month:02d}.{local.day:02d}",
        }
        title = _("Course outcome certified: %(course)s (%(term)s)") % {
            "course": course.subject_name,
            "term": term.label,
        }
        evidence_name = _("Course-outcome certification")
    files = [row.stored_file for row in version.outcome_files.select_related("stored_file").order_by("position", "pk")]
    status_list = keys.status_list_url(school)
    vc: dict[str, Any] = {
        "@context": OB3_CONTEXT,
        "id": str(credential),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": keys.issuer_url(school),
            "type": ["Profile"],
            "name": school.name,
            "otherIdentifier": [
                {"type": ["IdentifierEntry"], "identifier": school.code, "identifierType": "sourcedId"}
            ],
        },
        "issuanceDate": _iso(credential.issued_at),
        "name": title,
        "credentialSubject": {
            "id": subject_id(student),
            "type": ["AchievementSubject"],
            "activityStartDate": f"{term.starts_on.isoformat()}T00:00:00+08:00",
            "activityEndDate": f"{term.ends_on.isoformat()}T23:59:59+08:00",
            "achievement": {
                "id": f"{keys.issuer_url(school)}#course-{course.course_code}",
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": course.subject_name,
                "humanCode": course.course_code,
                "description": version.description,
                "criteria": {"narrative": narrative},
                "tag": [term.label],
            },
        },
        "evidence": [
            *(
                {
                    "id": _ni(f.sha256),
                    "type": ["Evidence"],
                    "name": f.original_name,
                    "description": f"SHA-256 {f.sha256}",
                    "genre": f.content_type,
                }
                for f in files
            ),
            {
                "id": f"{keys.issuer_url(school)}#certification-{credential.uuid}",
                "type": ["Evidence"],
                "name": evidence_name,
                "narrative": narrative,
                "audience": who,
                "description": _iso(decided_at),
            },
        ],
        "credentialStatus": {
            "id": f"{status_list}#{credential.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(credential.status_index),
            "statusListCredential": status_list,
        },
    }
    claims: dict[str, Any] = {
        "iss": vc["issuer"]["id"],
        "jti": vc["id"],
        "sub": vc["credentialSubject"]["id"],
        "iat": int(credential.issued_at.timestamp()),
        "nbf": int(credential.issued_at.timestamp()),
        "vc": vc,
    }
    if expires_at is not None:
        vc["expirationDate"] = _iso(expires_at)
        claims["exp"] = int(expires_at.timestamp())
    return claims


def _years_after(value: datetime.datetime, years: int) -> datetime.datetime:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def _free_index(school_id: int) -> int:
    """A random unused bit (random, so an index tells nothing about when or whose)."""
    taken = set(Credential.objects.filter(school_id=school_id).values_list("status_index", flat=True))
    if len(taken) >= STATUS_LIST_SIZE:
        raise ServiceError(_("This school's credential status list is full."))
    while True:
        index = secrets.randbelow(STATUS_LIST_SIZE)
        if index not in taken:
            return index


@transaction.atomic
def credential_issue(*, actor: Actor, version: CourseOutcomeVersion) -> Credential:
    """Sign a credential for a passed version and revoke (as superseded) the credentials of the
    outcome's earlier versions."""
    version = CourseOutcomeVersion.objects.select_related(
        "outcome__course", "outcome__term", "outcome__student__school", "outcome__school", "decided_by"
    ).get(pk=version.pk)
    if version.state != VersionState.PASSED:
        raise ServiceError(_("Only a certified version gets a credential."))
    existing = Credential.objects.filter(version=version).first()
    if existing is not None:
        return existing
    school = version.outcome.school
    key = keys.signing_key(school)
    now = timezone.now()
    years = valid_years()
    expires_at = _years_after(now, years) if years else None
    for _attempt in range(5):
        credential = Credential(
            school=school,
            version=version,
            student=version.outcome.student,
            key=key,
            status_index=_free_index(school.pk),
            issued_at=now,
            expires_at=expires_at,
        )
        credential.token = keys.sign(key, build_claims(credential, version, expires_at=expires_at))
        try:
            with transaction.atomic():
                credential.save()
            break
        except IntegrityError:  # another issue took the same bit meanwhile
            continue
    else:
        raise ServiceError(_("The credential could not be issued; try again."))
    record(
        actor=actor,
        school=school,
        action="credential.issue",
        obj=credential,
        changes={"version": version.pk, "status_index": credential.status_index, "kid": key.kid},
    )
    older = Credential.objects.filter(
        version__outcome=version.outcome, version__number__lt=version.number, revoked_at__isnull=True
    )
    for old in older:
        _revoke(actor, old, SUPERSEDED)
    return credential


def _revoke(actor: Actor, credential: Credential, reason: str) -> None:
    credential.revoked_at = timezone.now()
    credential.revoked_reason = reason[:200]
    credential.save(update_fields=["revoked_at", "revoked_reason"])
    record(
        actor=actor,
        school=credential.school,
        action="credential.revoke",
        obj=credential,
        changes={"status_index": credential.status_index, "reason": reason},
    )


@transaction.atomic
def credential_revoke(*, actor: Actor, credential: Credential, reason: str) -> Credential:
    """Withdraw a certification's credential: the course's teacher (or their proxy today) only."""
    credential = (
        Credential.objects.select_for_update().select_related("school", "version__outcome").get(pk=credential.pk)
    )
    if actor.user is None:
        raise ServiceError(_("Only the course's teacher or their proxy can revoke its credentials."))
    principal = certifier_map(actor.user, credential.school).get(credential.version.outcome.course_id)
    if principal is None:
        raise ServiceError(_("Only the course's teacher or their proxy can revoke its credentials."))
    if credential.revoked_at is not None:
        raise ServiceError(_("This credential has already been revoked."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give a reason for revoking the credential."), field="reason")
    if len(reason) > 200:
        raise ServiceError(_("The reason can be at most 200 characters."), field="reason")
    _revoke(actor.acting_for(principal), credential, reason)
    return credential
