"""Background jobs of submissions: building a snapshot, with progress."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope
from django_tasks import task

from licheng.submissions.models import Submission, SubmissionStatus

logger = logging.getLogger(__name__)


@task()
def build_submission(submission_id: int) -> None:
    from django_scopes import scopes_disabled

    from licheng.submissions import build

    with scopes_disabled():
        submission = Submission.objects.select_related("school", "term__academic_year", "started_by").get(
            pk=submission_id
        )
        claimed = Submission.objects.filter(pk=submission_id, status=SubmissionStatus.QUEUED).update(
            status=SubmissionStatus.RUNNING
        )
    if not claimed:
        return  # already built (or being built) by another worker
    with scope(school=submission.school):

        def progress(percent: int, note: str) -> None:
            Submission.objects.filter(pk=submission_id).update(
                status=SubmissionStatus.RUNNING, progress=percent, progress_note=note[:200]
            )

        try:
            progress(1, "")
            build.build(submission, progress)
        except Exception:
            logger.exception("submission %s failed", submission_id)
            Submission.objects.filter(pk=submission_id).update(
                status=SubmissionStatus.FAILED,
                finished_at=timezone.now(),
                error=_("The submission could not be built; the error was logged. Start it again."),
            )
            raise
