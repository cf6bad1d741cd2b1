"""A 503 page, not a 500, while the database is out of reach.

Every middleware and view runs inside Django's exception handler, so an ``OperationalError`` or
``InterfaceError`` from any of them (the session lookup, a view's query) ends up in
``handler500``. This handler answers those with 503 Service Unavailable, a ``Retry-After`` header
and a short message in the person's language, and every other error with the usual 500 page.

The page is rendered without a request context: the context processors would ask the database
again. Once the database answers again the node serves as before, without a restart: Django drops
a connection that failed (``CONN_HEALTH_CHECKS`` also tests a reused one before a request uses it).
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10


def database_unreachable(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
    return False


def unavailable_response(request: HttpRequest) -> HttpResponse:
    message = _("The service is briefly unavailable. Nothing you just sent was saved. Please try again in a minute.")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: 503 while the database cannot be reached, else Django's 500 page."""
    if database_unreachable(sys.exc_info()[1]):
        logger.warning("database unreachable: answering %s with 503", request.path)
        return unavailable_response(request)
    return defaults.server_error(request)
