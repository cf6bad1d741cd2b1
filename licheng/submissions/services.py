"""State changes of submissions: starting one (the build itself runs in the background job) and
recomputing a term's stored readiness report."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.people.services import authorise
from licheng.schools.models import School, Term
from licheng.submissions.models import ACTIVE_STATUSES, ReadinessReport, Submission, SubmissionStatus

SUBMIT = "submissions.submit"
VIEW = "submissions.view"
STALE_AFTER = datetime.timedelta(hours=3)


def submission_start(*, actor: Actor, school: School, term: Term) -> Submission:
    """Queue a new snapshot of ``term``; refused while another submission of the school is being built."""
    effective = authorise(actor, school, SUBMIT)
    if term.school_id != school.pk:
        raise ServiceError(_("Choose a term from the list."), field="term")
    if actor.user is None:
        raise ServiceError(_("Only a signed-in person can start a submission."))
    with transaction.atomic():
        # One submission at a time per school: the school row is the lock.
        School.objects.select_for_update().get(pk=school.pk)
        # A build that has not finished in hours was lost with its worker: it no longer blocks.
        stale = timezone.now() - STALE_AFTER
        Submission.objects.filter(school=school, status__in=ACTIVE_STATUSES, created_at__lt=stale).update(
            status=SubmissionStatus.FAILED,
            error=_("The build was interrupted; start it again."),
            finished_at=timezone.now(),
        )
        running = Submission.objects.filter(school=school, status__in=ACTIVE_STATUSES).first()
        if running is not None:
            raise ServiceError(
                _("Submission #%(number)d is still being built; wait until it is finished before starting another.")
                % {"number": running.number}
            )
        number = (Submission.objects.filter(school=school).aggregate(m=Max("number"))["m"] or 0) + 1
        submission = Submission.objects.create(school=school, term=term, number=number, started_by=actor.user)
        record(
            actor=effective,
            school=school,
            action="submission.start",
            obj=submission,
            changes={"term": str(term), "number": number},
        )
        submission_pk = submission.pk

        def enqueue() -> None:
            from licheng.submissions.tasks import build_submission

            build_submission.enqueue(submission_id=submission_pk)

        transaction.on_commit(enqueue)
    return submission


def readiness_recompute(*, actor: Actor, school: School, term: Term) -> ReadinessReport:
    """Compute ``term``'s readiness report from the current data and store it with the time."""
    from licheng.submissions import readiness, readiness_store

    authorise(actor, school, VIEW)
    if term.school_id != school.pk:
        raise ServiceError(_("Choose a term from the list."), field="term")
    computed_at = timezone.now()  # before reading: a change made during the computation is later than this
    checks = readiness.readiness(school, term)
    report, _created = ReadinessReport.objects.update_or_create(
        school=school,
        term=term,
        defaults={
            "computed_at": computed_at,
            "computed_by": actor.user,
            "checks": readiness_store.to_json(checks),
        },
    )
    return report
