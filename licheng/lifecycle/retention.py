"""Retention: after the school's period, the personal data and files of a sealed student are deleted.

``retention_apply`` runs for one school (``licheng.lifecycle.tasks.apply_retention`` runs it for every
school, daily). A legal hold in force keeps a student; an anonymous count per school, academic year and
reason is kept; each run is a ``RetentionRun`` and an audit entry.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, ProtectedError, RestrictedError

from licheng.audit.services import Actor, record
from licheng.lifecycle.models import LegalHold, RetentionCount, RetentionRun, TransferPackage, TransferredFile
from licheng.people.models import EnrolmentStatus, Student
from licheng.schools import rocdate

logger = logging.getLogger(__name__)
S = EnrolmentStatus


def _files_of(student: Student) -> set[int]:
    """Every stored file that belongs to the student's records or that they uploaded."""
    from licheng.files.models import StoredFile
    from licheng.performances.models import PerformanceFile, Writing
    from licheng.portfolio.models import CourseOutcomeFile

    school = student.school_id
    ids: set[int] = set(
        StoredFile.objects.filter(school=school, uploaded_by=student.user_id).values_list("pk", flat=True)
    )
    ids |= set(
        CourseOutcomeFile.objects.filter(school=school, version__outcome__student=student).values_list(
            "stored_file_id", flat=True
        )
    )
    ids |= set(
        PerformanceFile.objects.filter(school=school, performance__student=student).values_list(
            "stored_file_id", flat=True
        )
    )
    ids |= {
        pk
        for pk in Writing.objects.filter(school=school, student=student).values_list("attachment_id", flat=True)
        if pk is not None
    }
    ids |= set(
        TransferredFile.objects.filter(school=school, record__student=student).values_list("stored_file_id", flat=True)
    )
    return ids


def _anonymise_account(user: Any) -> None:
    """The login can't be deleted (the audit trail names it), so it loses everything personal."""
    from licheng.people.models import RoleGrant

    RoleGrant.objects.filter(user=user).delete()
    user.username = f"deleted-{user.pk}"
    user.name = ""
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()


def _reason_of(student: Student) -> str:
    return student.status if student.status in (S.GRADUATED, S.LEFT, S.TRANSFERRED_OUT) else S.LEFT


def _delete_student(*, run: RetentionRun, student: Student, left_on: datetime.date) -> int:
    """Delete one student's personal data and files; return the number of files deleted."""
    from licheng.files.models import StoredFile
    from licheng.files.services import file_delete
    from licheng.portfolio.models import CourseOutcomeSelection

    actor = Actor.system()
    file_ids = _files_of(student)
    packages = list(
        TransferPackage.objects.filter(student=student).exclude(storage_name="").values_list("storage_name", flat=True)
    )
    user = student.user
    reason = _reason_of(student)
    record(
        actor=actor,
        school=student.school,
        action="lifecycle.retention_delete",
        obj=run,
        changes={"student_id": student.pk, "reason": reason, "files": len(file_ids)},
    )
    # Selections protect the outcome versions they point at: they go first, then everything hanging
    # off the student (outcomes, performances, writings, grades, records from before a transfer …).
    CourseOutcomeSelection.objects.filter(student=student).delete()
    student.delete()
    _anonymise_account(user)
    deleted = 0
    for stored in StoredFile.objects.filter(pk__in=file_ids):
        try:
            with transaction.atomic():
                file_delete(actor=actor, stored_file=stored)
        except (ProtectedError, RestrictedError):
            continue  # another record still uses it
        deleted += 1

    def remove_packages() -> None:
        for name in packages:
            try:
                default_storage.delete(name)
            except OSError:
                logger.exception("could not remove %s", name)

    transaction.on_commit(remove_packages)
    count, _ = RetentionCount.objects.get_or_create(
        school=student.school, academic_year=rocdate.academic_year_of(left_on), reason=reason
    )
    RetentionCount.objects.filter(pk=count.pk).update(count=F("count") + 1)
    return deleted


def retention_apply(*, school: Any, today: datetime.date) -> RetentionRun:
    """Delete the data of every sealed student of ``school`` whose retention period ended by ``today``
    and who has no legal hold in force. Safe to run twice: what is deleted is gone."""
    from licheng.lifecycle.selectors import retention_preview

    due, held = retention_preview(school, on=today)
    with transaction.atomic():
        run = RetentionRun.objects.create(school=school, run_on=today, held=len(held))
    problems: list[dict[str, Any]] = []
    for row in due:
        try:
            with transaction.atomic():
                if LegalHold.objects.filter(student=row.student, released_at=None).exists():
                    run.held += 1
                    continue
                run.files_deleted += _delete_student(run=run, student=row.student, left_on=row.left_on)
                run.students_deleted += 1
        except (ProtectedError, RestrictedError) as error:
            logger.warning("retention: student %s kept: %s", row.student.pk, error)
            problems.append({"student_id": row.student.pk, "problem": "other records still refer to this student"})
    with transaction.atomic():
        run.problems = problems
        run.save(update_fields=["students_deleted", "files_deleted", "held", "problems"])
        record(
            actor=Actor.system(),
            school=school,
            action="lifecycle.retention_run",
            obj=run,
            changes={
                "students_deleted": run.students_deleted,
                "files_deleted": run.files_deleted,
                "held": run.held,
                "problems": len(problems),
            },
        )
    return run
