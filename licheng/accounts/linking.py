"""Which account a provider's sign-in belongs to, and the state changes of linking.

Linking never guesses: a ``sub`` finds its user only through ``ExternalIdentity``; a first sign-in
is matched only by the rule its school chose (``SchoolSignOn.LinkRule``) and linked only once the
person confirmed it. No claim creates an account or grants a role.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from licheng.accounts import services, throttle
from licheng.accounts.models import ExternalIdentity, LoginFailure, SchoolSignOn
from licheng.accounts.sso import Provider, label
from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_role
from licheng.people import crypto
from licheng.people.models import Student, User
from licheng.people.roles import Role
from licheng.schools.models import School

LinkRule = SchoolSignOn.LinkRule


class SignInRefused(Exception):
    """A valid sign-in that may not go on; ``message`` is for the person, ``reason`` for the trail."""

    def __init__(self, reason: str, message: str, school: School | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.school = school


@dataclasses.dataclass(frozen=True)
class Identity:
    """What a verified ID token says, read through the provider's claim names."""

    provider: Provider
    subject: str
    school_code: str
    role: str
    student_number: str
    national_id: str
    name: str
    email: str

    @classmethod
    def from_claims(cls, provider: Provider, claims: dict[str, Any]) -> Identity:
        def text(name: str) -> str:
            value = claims.get(name)
            return str(value).strip() if value is not None else ""

        return cls(
            provider=provider,
            subject=text("sub"),
            school_code=text(provider.school_claim),
            role=text(provider.role_claim).lower(),
            student_number=text(provider.student_number_claim),
            national_id=text(provider.national_id_claim),
            name=text("name"),
            email=text("email"),
        )


def sign_on_of(school: School) -> SchoolSignOn:
    """The school's rules; a school that never set them allows no provider."""
    return SchoolSignOn.objects.filter(school=school).first() or SchoolSignOn(school=school)


def school_of(identity: Identity) -> School:
    """The school the sign-in is for: its school-code claim, which must name a school of this
    platform that allows the provider."""
    if not identity.school_code:
        raise SignInRefused(
            "no_school_code",
            _("%(provider)s did not say which school you belong to, so you cannot sign in with it here.")
            % {"provider": identity.provider.label},
        )
    school = School.objects.filter(code=identity.school_code, is_active=True).first()
    if school is None or identity.provider.key not in sign_on_of(school).providers:
        raise SignInRefused(
            "school_not_allowed",
            _(
                "Your %(provider)s account belongs to school %(code)s, which does not sign in with "
                "%(provider)s on this platform. Please ask your school."
            )
            % {"provider": identity.provider.label, "code": identity.school_code},
        )
    return school


def linked_user(identity: Identity, school: School) -> User | None:
    link = (
        ExternalIdentity.objects.select_related("user__school")
        .filter(provider=identity.provider.key, subject=identity.subject)
        .first()
    )
    if link is None:
        return None
    if link.user.school_id != school.pk:
        raise SignInRefused(
            "other_school",
            _("This %(provider)s account is linked to an account of another school.")
            % {"provider": identity.provider.label},
            school,
        )
    return link.user


def match(identity: Identity, school: School) -> User | None:
    """The account the school's rule finds for a first sign-in, or ``None``. Only students are
    matched by a rule; staff link from their account page."""
    rule = sign_on_of(school).link_rule
    if identity.role != "student":
        return None
    students = Student.objects.filter(school=school).select_related("user", "school_class")
    if rule == LinkRule.STUDENT_NUMBER and identity.student_number:
        student = students.filter(student_number=identity.student_number).first()
    elif rule == LinkRule.NATIONAL_ID and identity.national_id:
        student = students.filter(national_id_digest=crypto.digest(identity.national_id)).first()
    else:
        return None
    if student is None or ExternalIdentity.objects.filter(user=student.user, provider=identity.provider.key).exists():
        return None
    return student.user


def password_refusal(user: User) -> str | None:
    """Why this user may not log in with a password: their school requires single sign-on (school
    administrators keep their password, so the rule can be undone)."""
    if user.school is None or not sign_on_of(user.school).require_sso:
        return None
    if has_role(user, user.school, Role.SCHOOL_ADMIN):
        return None
    return _("Your school signs in through its sign-in service only. Please use a button below.")


@transaction.atomic
def identity_link(*, actor: Actor, user: User, identity: Identity) -> ExternalIdentity:
    """Link the provider's account to ``user`` (confirmed by them)."""
    if user.school is None or identity.school_code != user.school.code:
        raise ServiceError(
            _("This %(provider)s account belongs to another school.") % {"provider": identity.provider.label}
        )
    if identity.provider.key not in sign_on_of(user.school).providers:
        raise ServiceError(_("Your school does not allow %(provider)s.") % {"provider": identity.provider.label})
    taken = ExternalIdentity.objects.filter(provider=identity.provider.key, subject=identity.subject).first()
    if taken is not None:
        raise ServiceError(
            _("This %(provider)s account is already linked to an account.") % {"provider": identity.provider.label}
        )
    if ExternalIdentity.objects.filter(user=user, provider=identity.provider.key).exists():
        raise ServiceError(
            _("Your account is already linked to a %(provider)s account. Unlink it first.")
            % {"provider": identity.provider.label}
        )
    link = ExternalIdentity.objects.create(user=user, provider=identity.provider.key, subject=identity.subject)
    record(actor=actor, school=user.school, action="account.identity_link", obj=link, changes={"user": user.pk})
    return link


@transaction.atomic
def identity_unlink(*, actor: Actor, link: ExternalIdentity) -> None:
    user = link.user
    if (
        user.school is not None
        and sign_on_of(user.school).require_sso
        and not has_role(user, user.school, Role.SCHOOL_ADMIN)
        and user.external_identities.count() == 1
    ):
        raise ServiceError(
            _("Your school requires single sign-on: you cannot unlink your only %(provider)s account.")
            % {"provider": label(link.provider)}
        )
    record(actor=actor, school=user.school, action="account.identity_unlink", obj=link, changes={"user": user.pk})
    link.delete()


@transaction.atomic
def sign_on_update(
    *, actor: Actor, school: School, providers: list[str], link_rule: str, require_sso: bool
) -> SchoolSignOn:
    if require_sso and not providers:
        raise ServiceError(_("Allow at least one provider before requiring single sign-on."))
    sign_on = sign_on_of(school)
    before = {"providers": sign_on.providers, "link_rule": sign_on.link_rule, "require_sso": sign_on.require_sso}
    sign_on.providers, sign_on.link_rule, sign_on.require_sso = providers, link_rule, require_sso
    sign_on.save()
    after = {"providers": providers, "link_rule": link_rule, "require_sso": require_sso}
    record(
        actor=actor,
        school=school,
        action="school.sign_on_update",
        obj=sign_on,
        changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
    )
    return sign_on


@transaction.atomic
def sign_in_failed(*, actor: Actor, provider: Provider, subject: str, reason: str, school: School | None) -> None:
    """A refused callback: counts towards the log-in throttle and is recorded on the trail."""
    username = f"sso:{provider.key}:{subject}" if subject else f"sso:{provider.key}"
    services.login_failed(actor=actor, username=username)
    failure = LoginFailure.objects.filter(username=throttle.normalise_username(username)).order_by("-at", "-pk").first()
    if failure is not None:
        record(
            actor=actor,
            school=school,
            action="account.sso_refused",
            obj=failure,
            changes={"provider": provider.key, "subject": subject, "reason": reason},
        )
