"""Claims the test provider puts into ID tokens: the education cloud's school code, role, student
number and national ID, from ``people.PEOPLE``."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from licheng.testing.oidc_provider.people import PEOPLE


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = None  # every claim goes into the ID token, whatever the scopes

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        claims = PEOPLE.get(request.user.username, {})
        return {key: value for key, value in claims.items() if value is not None}
