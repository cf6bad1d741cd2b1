"""Parent binding (親子綁定): a student, or the registry, issues a one-time code; a parent signed in
with their own account redeems it and becomes that child's parent (a ``ParentLink``).

Codes are 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as ``K7QM-2XPA``.
Only a keyed hash is stored, so the code is shown once, to whoever issued it. A code is valid for
``settings.PARENT_CODE_DAYS`` days and for one use. Issuing another code keeps the older ones valid
(a mother and a father each get one), up to ``MAX_OPEN_CODES`` open codes per student; the issuer can
revoke any of them.

Every refusal to redeem (a wrong, expired, used, revoked or another school's code; too many wrong
codes) is recorded in the audit trail and changes nothing else. Wrong codes are counted per account
(or per pending sign-in identity) and per address; past ``settings.PARENT_CODE_MAX_WRONG`` within
``THROTTLE_SECONDS`` (from one address: ``ADDRESS_FACTOR`` times that) every attempt is refused
until the window passes.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.core.permissions import forget_cached_permissions, has_role
from licheng.people.models import ParentBindingCode, ParentCodeGuess, ParentLink, RoleGrant, Student, User
from licheng.people.roles import Role
from licheng.people.selectors import may
from licheng.schools.models import School

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_OPEN_CODES = 5
THROTTLE_SECONDS = 15 * 60
# The session key the OpenID Connect sign-in leaves for a visitor whose identity has no account yet.
SSO_PENDING_KEY = "sso_pending_identity"


# --- the code itself -----------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def grouped(code: str) -> str:
    """``K7QM2XPA`` → ``K7QM-2XPA``: easier to read out and type on a phone."""
    return f"{code[:4]}-{code[4:]}"


def normalise(entered: str) -> str:
    """What the parent typed, without spaces, dashes or case."""
    return "".join(ch for ch in (entered or "").upper() if ch.isalnum())


def code_digest(code: str) -> str:
    key = hashlib.sha256(("licheng-parent-code:" + settings.FIELD_ENCRYPTION_KEY).encode()).digest()
    return hmac.new(key, normalise(code).encode(), hashlib.sha256).hexdigest()


def _open(codes: QuerySet[ParentBindingCode]) -> QuerySet[ParentBindingCode]:
    return codes.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def open_codes(student: Student) -> QuerySet[ParentBindingCode]:
    """The student's codes that a parent could still redeem, newest first."""
    return _open(ParentBindingCode.objects.filter(school_id=student.school_id, student=student))


def code_state(code: ParentBindingCode) -> str:
    if code.used_at is not None:
        return "used"
    if code.revoked_at is not None:
        return "revoked"
    if code.expires_at <= timezone.now():
        return "expired"
    return "open"


def may_issue(user: User, student: Student) -> bool:
    """The student themself, or whoever may manage the school's parents (the registry)."""
    if student.user_id == user.pk:
        return True
    return may(user, student.school, "people.manage_parents")


def children_of(user: User, school: School) -> QuerySet[ParentLink]:
    return (
        ParentLink.objects.filter(school=school, parent=user)
        .select_related("student", "student__school_class")
        .order_by("student__name", "pk")
    )


# --- issuing and revoking -----------------------------------------------------------------------


@transaction.atomic
def code_issue(*, actor: Actor, student: Student, relation: str = "") -> tuple[ParentBindingCode, str]:
    """A new code for ``student``; returns it with the plain code, which is not stored anywhere."""
    if actor.user is not None and not may_issue(actor.user, student):
        raise PermissionDenied("may not issue a parent code for this student")
    if open_codes(student).count() >= MAX_OPEN_CODES:
        raise ServiceError(
            _("There are already %(count)s unused codes for this student. Revoke one before issuing another.")
            % {"count": MAX_OPEN_CODES}
        )
    plain = new_code()
    code = ParentBindingCode.objects.create(
        school=student.school,
        student=student,
        issued_by=actor.user,
        code_digest=code_digest(plain),
        relation=(relation or "").strip()[:20],
        expires_at=timezone.now() + datetime.timedelta(days=settings.PARENT_CODE_DAYS),
    )
    record(
        actor=actor,
        school=student.school,
        action="parent_code.issue",
        obj=code,
        changes={"student": student.pk, "expires_at": code.expires_at.isoformat(), "relation": code.relation},
    )
    return code, plain


@transaction.atomic
def code_revoke(*, actor: Actor, code: ParentBindingCode) -> None:
    if actor.user is not None and not may_issue(actor.user, code.student):
        raise PermissionDenied("may not revoke this parent code")
    if code_state(code) != "open":
        raise ServiceError(_("That code can no longer be used anyway; nothing was changed."))
    code.revoked_at = timezone.now()
    code.save(update_fields=["revoked_at"])
    record(actor=actor, school=code.school, action="parent_code.revoke", obj=code, changes={"student": code.student_id})


# --- throttling wrong guesses --------------------------------------------------------------------


# An address is shared by a household or a school's network: it gets this many times the account's allowance.
ADDRESS_FACTOR = 4


def _throttle_keys(who: str, actor: Actor) -> list[tuple[str, int]]:
    limit = settings.PARENT_CODE_MAX_WRONG
    keys = [(f"licheng-parent-code:who:{who}", limit)]
    if actor.ip_address:
        keys.append((f"licheng-parent-code:ip:{actor.ip_address}", limit * ADDRESS_FACTOR))
    return keys


def _throttled(keys: list[tuple[str, int]]) -> bool:
    since = timezone.now() - datetime.timedelta(seconds=THROTTLE_SECONDS)
    return any(ParentCodeGuess.objects.filter(key=key, at__gt=since).count() >= limit for key, limit in keys)


def _note_wrong(keys: list[tuple[str, int]]) -> None:
    """Count one wrong guess under each key, and prune rows that can no longer count."""
    ParentCodeGuess.objects.bulk_create(ParentCodeGuess(key=key[:300]) for key, _limit in keys)
    ParentCodeGuess.objects.filter(at__lt=timezone.now() - datetime.timedelta(seconds=THROTTLE_SECONDS)).delete()


# --- redeeming -----------------------------------------------------------------------------------

_REFUSALS = {
    "empty": lambda: _("Enter the code you were given."),
    "wrong": lambda: _("That code is not valid. Check the eight characters and try again."),
    "expired": lambda: _("That code has expired. Ask your child or the registry section for a new one."),
    "used": lambda: _("That code has already been used. Ask your child or the registry section for a new one."),
    "revoked": lambda: _("That code was withdrawn. Ask your child or the registry section for a new one."),
    "other_school": lambda: _(
        "That code is for a student of another school. Your account belongs to %(own_school)s; "
        "a parent account is kept per school, so ask that school's registry section for an account there."
    ),
    "throttled": lambda: _("Too many wrong codes. Wait 15 minutes, then try again."),
    "student": lambda: _("Students cannot redeem parent codes; a parent signs in with their own account."),
    "already": lambda: _("You are already linked to %(student)s."),
}


# Short words for a refusal's reason, for the history a parent sees.
REASON_WORDS = {
    "wrong": gettext_lazy("wrong code"),
    "expired": gettext_lazy("expired code"),
    "used": gettext_lazy("code already used"),
    "revoked": gettext_lazy("revoked code"),
    "other_school": gettext_lazy("code of another school"),
    "throttled": gettext_lazy("too many wrong codes"),
    "student": gettext_lazy("a student tried to redeem"),
}


def _refuse(
    actor: Actor,
    school: School,
    reason: str,
    obj: Any,
    *,
    keys: list[tuple[str, int]] | None = None,
    **words: Any,
) -> ServiceError:
    """Record the refusal (in its own transaction, so it stays) and return the error to raise."""
    with transaction.atomic():
        record(actor=actor, school=school, action="parent_code.refuse", obj=obj, changes={"reason": reason})
        if keys is not None:
            _note_wrong(keys)
    message = _REFUSALS[reason]()
    return ServiceError(message % words if words else message, field="code")


def _check(
    actor: Actor, school: School, entered: str, who: str, obj: Any
) -> tuple[ParentBindingCode | None, ServiceError | None]:
    """The code ``entered`` if it may be redeemed in ``school``, else the refusal (already recorded)."""
    keys = _throttle_keys(who, actor)
    if _throttled(keys):
        return None, _refuse(actor, school, "throttled", obj)
    plain = normalise(entered)
    if not plain:
        return None, ServiceError(_REFUSALS["empty"](), field="code")
    with scopes_disabled():  # a code of another school must be recognised to be refused as such
        code = (
            ParentBindingCode.objects.select_for_update()
            .select_related("student", "school")
            .filter(code_digest=code_digest(plain))
            .first()
        )
    if code is None:
        return None, _refuse(actor, school, "wrong", obj, keys=keys)
    if code.school_id != school.pk:
        return None, _refuse(actor, school, "other_school", obj, keys=keys, own_school=school.name)
    state = code_state(code)
    if state != "open":
        return None, _refuse(actor, school, state, code, keys=keys)
    return code, None


def _bind(actor: Actor, code: ParentBindingCode, parent: User, relation: str) -> ParentLink:
    school = code.school
    now = timezone.now()
    code.used_at = now
    code.used_by = parent
    code.save(update_fields=["used_at", "used_by"])
    _, granted = RoleGrant.objects.get_or_create(school=school, user=parent, role=Role.PARENT)
    if granted:
        forget_cached_permissions(parent)
        record(actor=actor, school=school, action="roles.grant", obj=parent, changes={"role": Role.PARENT})
    link = ParentLink.objects.create(
        school=school, parent=parent, student=code.student, relation=(relation.strip() or code.relation)[:20]
    )
    record(
        actor=actor,
        school=school,
        action="parent_code.redeem",
        obj=code,
        changes={"parent": parent.pk, "student": code.student_id},
    )
    record(
        actor=actor,
        school=school,
        action="parent.link",
        obj=link,
        changes={"parent": parent.pk, "student": code.student_id, "relation": link.relation},
    )
    return link


def code_redeem(*, actor: Actor, parent: User, code: str, relation: str = "") -> ParentLink:
    """``parent`` (signed in, any account of the school but a student's) redeems ``code``."""
    school = parent.school
    if school is None:
        raise PermissionDenied("an account without a school cannot be a parent")
    if has_role(parent, school, Role.STUDENT) or Student.objects.filter(user=parent).exists():
        raise _refuse(actor, school, "student", parent)
    with transaction.atomic():
        found, refusal = _check(actor, school, code, f"user:{parent.pk}", parent)
        if found is not None and ParentLink.objects.filter(parent=parent, student=found.student).exists():
            refusal = ServiceError(_REFUSALS["already"]() % {"student": found.student.name}, field="code")
        if found is not None and refusal is None:
            return _bind(actor, found, parent, relation)
    assert refusal is not None
    raise refusal


def code_redeem_signing_in(*, actor: Actor, identity: dict[str, Any], code: str, relation: str = "") -> ParentLink:
    """A visitor who signed in through an OpenID Connect provider with no account yet redeems
    ``code`` of the school in ``identity`` (``sso_pending_identity``): a new parent account (no
    password) with that outside identity is created and linked to the child."""
    from licheng.accounts.models import ExternalIdentity

    school = School.objects.get(pk=identity["school_id"])
    provider, subject = str(identity["provider"]), str(identity["subject"])
    with transaction.atomic():
        found, refusal = _check(actor, school, code, f"sso:{provider}:{subject}", school)
        if found is not None and refusal is None:
            if ExternalIdentity.objects.filter(provider=provider, subject=subject).exists():
                raise ServiceError(_("That sign-in is already linked to an account; sign in again."), field="code")
            user = User(
                username=f"parent-{secrets.token_hex(6)}",
                name=str(identity.get("name") or "")[:60],
                email=str(identity.get("email") or "")[:254],
                school=school,
            )
            user.set_unusable_password()
            user.save()
            ExternalIdentity.objects.create(user=user, provider=provider, subject=subject)
            record(
                actor=actor,
                school=school,
                action="parent.create",
                obj=user,
                changes={"username": user.username, "provider": provider},
            )
            return _bind(actor, found, user, relation)
    assert refusal is not None
    raise refusal


@transaction.atomic
def parent_unbind(*, actor: Actor, link: ParentLink) -> None:
    """A parent ends their own link to a child (the registry unlinks through ``services.parent_unlink``)."""
    if actor.user is not None and actor.user.pk != link.parent_id:
        raise PermissionDenied("only the parent themself may unbind")
    record(
        actor=actor,
        school=link.school,
        action="parent.unlink",
        obj=link,
        changes={"parent": link.parent_id, "student": link.student_id},
    )
    link.delete()
