"""Background work for accounts: sending e-mail and hashing imported accounts' initial passwords."""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(*, subject: str, body: str, to: list[str]) -> None:
    """Send one plain-text e-mail (rendered by the request, in the reader's language)."""
    send_mail(subject, body, None, to)


@task()
def set_initial_passwords(*, import_id: int) -> int:
    """Hash the initial passwords of an applied account import. Safe to run twice: an account that
    already has a usable password keeps it. Returns how many passwords were set."""
    from licheng.accounts.services import account_import_set_passwords

    return account_import_set_passwords(import_id=import_id)
