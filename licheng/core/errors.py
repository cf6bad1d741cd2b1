"""Errors a service raises when it refuses a change for a reason the user can act on."""

from __future__ import annotations


class ServiceError(ValueError):
    """A refusal whose message is already in the user's language; views show it and change nothing.

    ``field`` names the form field or spreadsheet column at fault, when there is one. ``status`` is
    the HTTP status a page answers the refusal with.
    """

    status = 422
    retry_after: int | None = None

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ServiceUnavailable(ServiceError):
    """A refusal because something the service needs (file storage) cannot be reached just now:
    nothing was saved, the same request will work again later. Pages answer 503 with Retry-After."""

    status = 503
    retry_after = 30


def refusal_headers(error: ServiceError | None) -> dict[str, str]:
    """Headers of a page that shows ``error``: Retry-After when trying again later will help."""
    if error is not None and error.retry_after:
        return {"Retry-After": str(error.retry_after)}
    return {}
