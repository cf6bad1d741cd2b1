"""Permission-matrix rows for single sign-on and the account page.

No provider is configured in the matrix, so a provider's start and callback are 404 for everyone;
the confirmation page without a pending sign-in is a 400 page, the no-account page without one
sends to the log-in page. Each person unlinks only their own identity (the subject teacher's here).
"""

from __future__ import annotations

from licheng.tests.matrix_base import OK, PAGE_ANY, PAGE_MANAGE_SETTINGS, Case, World, who

CASES: list[Case] = [
    Case("sso_start", who(404), kwargs=lambda w: {"provider_key": "educloud"}),
    Case("sso_callback", who(404), kwargs=lambda w: {"provider_key": "educloud"}),
    Case("sso_link_confirm", who(400)),
    Case("sso_no_account", who(302)),
    Case("account_home", PAGE_ANY),
    Case(
        "account_identity_unlink",
        who(404, anonymous=302, subject_teacher=OK),
        kwargs=lambda w: {"pk": w.extra["identity"].pk},
        method="post",
    ),
    Case("school_sign_on", PAGE_MANAGE_SETTINGS),
]


def extend(world: World) -> None:
    from licheng.accounts.models import ExternalIdentity

    world.extra["identity"] = ExternalIdentity.objects.create(
        user=world.p.subject_teacher, provider="educloud", subject="matrix-teacher"
    )
