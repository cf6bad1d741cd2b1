"""Single sign-on over OpenID Connect (the education cloud 教育雲端帳號 and the cities' OpenID).

How it plugs in, and the rules it keeps:

1. **Providers.** The deployment lists the providers it trusts in the environment
   (``settings.OIDC_PROVIDERS``, read by ``licheng.env.oidc_providers_from_env``); each school
   chooses which of them it allows and how a first sign-in finds its account
   (``SchoolSignOn``). ``providers()`` below is the deployment's list.
2. **Protocol.** ``oidc_client`` runs the authorisation-code flow with PKCE, ``state`` and ``nonce``
   (Authlib) and checks the ID token's signature and claims.
3. **Accounts are never minted.** The provider's ``sub`` finds a user only through
   ``ExternalIdentity(provider, subject)``. A first sign-in links to an existing account only by
   the school's rule (``linking.LinkRule``), after the person confirmed it; no claim grants a role.
4. **Same rules after authentication.** The callback calls ``services.login_refusal``, Django's
   ``login`` and ``services.login_succeeded`` as the password form does; ``views.after_login_url``
   decides where to go (an SSO login never needs the initial-password change). A refused callback
   calls ``services.login_failed`` so throttling covers it too.
"""

from __future__ import annotations

import dataclasses

from django.conf import settings


@dataclasses.dataclass(frozen=True)
class Provider:
    key: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    school_claim: str
    role_claim: str
    student_number_claim: str
    national_id_claim: str

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def providers() -> dict[str, Provider]:
    """The providers this deployment trusts, by key, in the order configured."""
    return {key: Provider(key=key, **config) for key, config in settings.OIDC_PROVIDERS.items()}


def provider(key: str) -> Provider | None:
    return providers().get(key)


def label(key: str) -> str:
    """A provider's name to show; a provider no longer configured shows its key."""
    found = provider(key)
    return found.label if found else key
