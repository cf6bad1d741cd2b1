"""Errors a service raises when it refuses a change for a reason the user can act on."""

from __future__ import annotations


class ServiceError(ValueError):
    """A refusal whose message is already in the user's language; views show it and change nothing.

    ``field`` names the form field or spreadsheet column at fault, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message
