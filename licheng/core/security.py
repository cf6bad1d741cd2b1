"""Headers that keep pages' personal data out of caches and scripts out of pages (issue 13).

``SecurityHeadersMiddleware``:

- gives every request a fresh CSP nonce (``request.csp_nonce``; templates see ``csp_nonce``, which
  django-htmx's ``{% htmx_script %}`` also uses) and sends a strict Content-Security-Policy on
  every HTML page: scripts and styles only from this site's static files or with the nonce, no
  inline script or event handler, no plugins, no framing. ``LICHENG_CSP_REPORT_ONLY=true`` sends
  the same policy as ``Content-Security-Policy-Report-Only`` (browsers report, nothing is blocked)
  for a trial period; violations are logged by ``csp_report`` either way. A response that sets
  its own policy (served files) keeps it.
- sends ``Cache-Control: private, no-store`` on every answer to a logged-in user (pages, API,
  downloads) unless the view chose a private policy itself (served files revalidate with
  ``private, no-cache``); a bare ``no-store`` becomes ``private, no-store``.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("licheng.csp")

REPORT_MAX_BYTES = 16 * 1024
PRIVATE = "private, no-store"


def content_security_policy(nonce: str) -> str:
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        f"report-uri {reverse('csp_report')}",
    ]
    return "; ".join(directives)


def _is_authenticated(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if _is_authenticated(request):
            chosen = response.get("Cache-Control", "")
            if "private" not in chosen:
                response["Cache-Control"] = PRIVATE
        is_html = response.get("Content-Type", "").startswith("text/html")
        has_policy = "Content-Security-Policy" in response or "Content-Security-Policy-Report-Only" in response
        if is_html and not has_policy:
            header = "Content-Security-Policy-Report-Only" if settings.CSP_REPORT_ONLY else "Content-Security-Policy"
            response[header] = content_security_policy(nonce)
        return response


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """Context processor: ``csp_nonce`` for ``<script nonce>`` and ``<style nonce>``."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


@csrf_exempt  # browsers send reports without a CSRF token; the view only logs
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Where browsers report what the policy blocked (or would block in report-only mode)."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    body = request.read(REPORT_MAX_BYTES)
    try:
        report = json.loads(body).get("csp-report", {})
    except (ValueError, AttributeError):
        return HttpResponse(status=400)
    if not isinstance(report, dict):
        return HttpResponse(status=400)
    logger.warning(
        "CSP violation: %s blocked %s on %s",
        str(report.get("violated-directive", "?"))[:100],
        str(report.get("blocked-uri", "?"))[:200],
        str(report.get("document-uri", "?"))[:200],
    )
    return HttpResponse(status=204)
