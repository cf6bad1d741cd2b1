"""The operator's school export from the page: request it (an audit entry on the school's chain),
the background task builds the ZIP."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.portability.models import ExportStatus, SchoolExportJob
from licheng.schools.models import School


def is_operator(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser and user.school_id is None)  # type: ignore[attr-defined]


@transaction.atomic
def school_export_request(*, actor: Actor, school: School) -> SchoolExportJob:
    """Only the deployment operator: the export holds national IDs and the school's signing key in clear."""
    if actor.user is None or not is_operator(actor.user):
        raise ServiceError(_("Only the deployment operator can export a whole school."))
    running = SchoolExportJob.objects.filter(
        school=school, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]
    ).first()
    if running is not None:
        return running
    job = SchoolExportJob.objects.create(school=school, requested_by=actor.user)
    record(actor=actor, school=school, action="school.export", obj=job)
    from licheng.portability.tasks import build_school_export

    transaction.on_commit(lambda: build_school_export.enqueue(job_id=job.pk))
    return job
