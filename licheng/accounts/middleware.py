"""Send people who still have an initial password to the password-change page first.

Register after ``AuthenticationMiddleware``:
``"licheng.accounts.middleware.PasswordChangeRequiredMiddleware"``. The log-in redirect already
does this once; the middleware keeps them there until the password is changed.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

ALWAYS_ALLOWED_PREFIXES = ("/static/", "/i18n/", "/healthz", "/api/")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(ALWAYS_ALLOWED_PREFIXES)
        ):
            change = reverse("password_change")
            if request.path not in (change, reverse("logout")):
                return HttpResponseRedirect(change + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
