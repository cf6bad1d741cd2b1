"""Failed-login throttling, shared by every web worker through the ``LoginFailure`` table.

``settings.LOGIN_MAX_FAILURES`` failures for one account (or ``LOGIN_MAX_FAILURES_PER_ADDRESS`` from one address) within
``settings.LOGIN_FAILURE_WINDOW_MINUTES`` lock further attempts for that account or address until
enough of those failures have aged out of the window. While locked, no password is even checked.
``LOGIN_MAX_FAILURES_PER_ADDRESS`` sets a separate, usually higher, limit for an address,
because a whole school can sit behind one NAT address.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from licheng.accounts.models import LoginFailure, ResetRequest


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()[:150]


def window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def max_failures_per_account() -> int:
    return int(settings.LOGIN_MAX_FAILURES)


def max_failures_per_address() -> int:
    return int(settings.LOGIN_MAX_FAILURES_PER_ADDRESS)


def _unlocks_at(failures: QuerySet[LoginFailure], limit: int, now: datetime.datetime) -> datetime.datetime | None:
    """When the lock lifts, or ``None`` if there is no lock: the moment fewer than ``limit`` failures
    remain inside the window."""
    times = list(failures.filter(at__gt=now - window()).order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return None
    return times[limit - 1] + window()


def locked_until(username: str, ip_address: str | None) -> datetime.datetime | None:
    """The time the account or the address may try again, if either is locked now."""
    now = timezone.now()
    candidates = [
        _unlocks_at(LoginFailure.objects.filter(username=normalise_username(username)), max_failures_per_account(), now)
    ]
    if ip_address:
        candidates.append(
            _unlocks_at(LoginFailure.objects.filter(ip_address=ip_address), max_failures_per_address(), now)
        )
    times = [t for t in candidates if t is not None]
    return max(times) if times else None


def note_failure(username: str, ip_address: str | None) -> None:
    """Record one failure and prune rows that can no longer count towards any lock."""
    LoginFailure.objects.create(username=normalise_username(username), ip_address=ip_address)
    LoginFailure.objects.filter(at__lt=timezone.now() - window()).delete()


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=normalise_username(username)).delete()


# --- password-reset requests -------------------------------------------------------------------
#
# ``settings.PASSWORD_RESET_MAX_PER_HOUR`` requests per e-mail address and per account, and
# ``settings.PASSWORD_RESET_MAX_PER_ADDRESS`` per client address, within an hour. A request over a
# limit gets the same answer as any other; only no mail is sent.

RESET_WINDOW = datetime.timedelta(hours=1)


def reset_keys(email: str, user_ids: list[int], ip_address: str | None) -> list[tuple[str, int]]:
    """The keys a request counts under, each with its limit."""
    per_person = int(settings.PASSWORD_RESET_MAX_PER_HOUR)
    keys = [(f"email:{(email or '').strip().lower()[:254]}", per_person)]
    keys += [(f"user:{pk}", per_person) for pk in user_ids]
    if ip_address:
        keys.append((f"ip:{ip_address}", int(settings.PASSWORD_RESET_MAX_PER_ADDRESS)))
    return keys


def reset_allowed(keys: list[tuple[str, int]]) -> bool:
    since = timezone.now() - RESET_WINDOW
    return all(ResetRequest.objects.filter(key=key, at__gt=since).count() < limit for key, limit in keys)


def note_reset(keys: list[tuple[str, int]]) -> None:
    """Count one request under each key and prune rows older than the window."""
    ResetRequest.objects.bulk_create(ResetRequest(key=key) for key, _limit in keys)
    ResetRequest.objects.filter(at__lt=timezone.now() - RESET_WINDOW).delete()


def address_locked_until(ip_address: str | None) -> datetime.datetime | None:
    """When a locked client address may try again (single sign-on callbacks, before any account is known)."""
    if not ip_address:
        return None
    return _unlocks_at(LoginFailure.objects.filter(ip_address=ip_address), max_failures_per_address(), timezone.now())
