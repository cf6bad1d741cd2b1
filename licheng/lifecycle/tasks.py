"""Background work for the student lifecycle: building transfer packages, and the daily retention job."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def build_transfer_package(*, package_id: int) -> str:
    """Build one transfer package into private storage. Safe to run twice. Returns its state."""
    from licheng.lifecycle.models import TransferPackage
    from licheng.lifecycle.services import transfer_package_build

    with scopes_disabled():
        package = TransferPackage.objects.select_related("school", "student").filter(pk=package_id).first()
    if package is None:
        return "missing"
    with scope(school=package.school):
        return str(transfer_package_build(package=package).state)


@task()
def apply_retention() -> dict[str, int]:
    """The daily retention job (``licheng.core.periodic``): at every school, delete the personal data and
    files of sealed students whose retention period has ended and who have no legal hold; keep an
    anonymous count; record a ``RetentionRun``. Idempotent."""
    from licheng.lifecycle.services import retention_apply
    from licheng.schools.models import School

    today = timezone.localdate()
    totals = {"schools": 0, "students_deleted": 0, "files_deleted": 0, "held": 0}
    for school in School.objects.filter(is_active=True).order_by("pk"):
        with scope(school=school):
            run = retention_apply(school=school, today=today)
        totals["schools"] += 1
        totals["students_deleted"] += run.students_deleted
        totals["files_deleted"] += run.files_deleted
        totals["held"] += run.held
    logger.info("retention: %s", totals)
    return totals
