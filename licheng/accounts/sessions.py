"""Sessions that slide without a database write on every request.

A session ends ``LICHENG_SESSION_MINUTES`` after the person's last request. Django's
``SESSION_SAVE_EVERY_REQUEST`` keeps that promise by rewriting the session row on every request,
which at a deadline rush is one extra write and commit per upload. This middleware renews the
session (row and cookie) only when its last renewal is more than a minute old, so a session still
ends between ``LICHENG_SESSION_MINUTES - 1`` and ``LICHENG_SESSION_MINUTES`` idle minutes after the
last request, at the cost of at most one write a minute per person.
"""

from __future__ import annotations

import time

from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse

RENEW_AFTER_SECONDS = 60
RENEWED_AT_KEY = "_licheng_renewed_at"


class SlidingSessionMiddleware(SessionMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(RENEWED_AT_KEY, 0)) >= RENEW_AFTER_SECONDS:
                session[RENEWED_AT_KEY] = now  # marks the session modified: saved, cookie renewed
        return super().process_response(request, response)
