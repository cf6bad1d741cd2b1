"""Background jobs of announcements: e-mailing a published announcement."""

from __future__ import annotations

from django_scopes import scope, scopes_disabled
from django_tasks import task


@task()
def email_announcement(announcement_id: int) -> int:
    """E-mail one announcement to its recipients (each once; safe to run again)."""
    from licheng.announcements.models import Announcement
    from licheng.announcements.services import announcement_send_emails

    with scopes_disabled():
        announcement = Announcement.objects.select_related("school").filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    with scope(school=announcement.school):
        return announcement_send_emails(announcement)
