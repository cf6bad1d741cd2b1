"""Resolve the request's school once and run the whole request inside its scope.

Every tenant model uses django-scopes' ``ScopedManager``: a query made outside a scope raises
``ScopeError`` instead of returning rows of every school.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django_scopes import scope

from licheng.schools.models import School

OPERATOR_SCHOOL_SESSION_KEY = "licheng_school_id"


def resolve_school(request: HttpRequest) -> School | None:
    user = request.user
    if not user.is_authenticated:
        return None
    if user.school_id is not None:  # type: ignore[union-attr]
        return user.school  # type: ignore[union-attr]
    if user.is_superuser:
        # Deployment operators pick the school they are looking at.
        school_id = request.session.get(OPERATOR_SCHOOL_SESSION_KEY)
        if school_id:
            return School.objects.filter(pk=school_id, is_active=True).first()
    return None


class SchoolMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and "Authorization" in request.headers:
            # API tokens are checked here, before the school is resolved, so token requests run in
            # their user's school scope exactly like session requests.
            from licheng.accounts.tokens import user_for_bearer

            token_user = user_for_bearer(request)
            if token_user is not None:
                request.user = token_user
                request.api_token_authenticated = True  # type: ignore[attr-defined]
        school = resolve_school(request)
        request.school = school  # type: ignore[attr-defined]
        with scope(school=school):
            return self.get_response(request)


class LanguageMiddleware:
    """Traditional Chinese unless the person chose otherwise with the language switch (a cookie).

    Django's ``LocaleMiddleware`` would follow the browser's Accept-Language, so a teacher whose
    browser happens to be set to English would get English pages unasked. Schools asked for
    Chinese by default; English is one click away and then sticks. API calls (no switch to click)
    may ask with Accept-Language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if not chosen and request.path.startswith("/api/"):
            # API clients say which language they want their messages in.
            chosen = translation.get_language_from_request(request)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
