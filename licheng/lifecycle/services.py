"""State changes for student status changes (學籍異動), transfer packages, legal holds and retention.

One function per change. Each status change is recorded as a ``StatusChange`` and in the audit trail,
and refuses a sealed student (``ensure_not_sealed``): graduation, leaving and transfer out seal the
portfolio, after which nothing about the student changes (retention deletes it in the end).
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.lifecycle import package as transfer_package
from licheng.lifecycle.guards import authorise, check_note, require
from licheng.lifecycle.models import (
    ChangeKind,
    LegalHold,
    PackageState,
    StatusChange,
    TransferPackage,
)
from licheng.people import crypto, roster_codes
from licheng.people.models import EnrolmentStatus, Student
from licheng.people.sealing import ensure_not_sealed

logger = logging.getLogger(__name__)
S = EnrolmentStatus
SCHOOL_CODE = re.compile(r"^\d{6}$")


def _check_school_code(code: str, *, required: bool) -> str:
    code = (code or "").strip()
    if not code and not required:
        return ""
    if not SCHOOL_CODE.match(code):
        raise ServiceError(_("A school code is exactly 6 digits."), field="other_school_code")
    return code


def _change(
    *,
    actor: Actor,
    student: Student,
    kind: str,
    effective_on: datetime.date,
    note: str,
    allowed_from: frozenset[str],
    status_after: str,
    seal: bool = False,
    **details: Any,
) -> StatusChange:
    school = student.school
    effective = authorise(actor, school, "lifecycle.manage_status")
    student = Student.objects.select_for_update().get(pk=student.pk)
    ensure_not_sealed(student)
    if effective_on is None:
        raise ServiceError(_("Enter the date of the change."), field="effective_on")
    if student.status not in allowed_from:
        raise ServiceError(
            _("This change cannot be recorded for a student whose status is “%(status)s”.")
            % {"status": student.get_status_display()}
        )
    before = student.status
    change = StatusChange.objects.create(
        school=school,
        student=student,
        kind=kind,
        effective_on=effective_on,
        note=check_note(note),
        status_before=before,
        status_after=status_after,
        recorded_by=actor.user,
        **details,
    )
    student.status = status_after
    fields = ["status"]
    if seal:
        student.sealed_at = timezone.now()
        fields.append("sealed_at")
    student.save(update_fields=fields)
    record(
        actor=effective,
        school=school,
        action=f"lifecycle.{kind}",
        obj=student,
        changes={
            "status": [before, status_after],
            "effective_on": effective_on,
            "sealed": seal,
            **{key: value for key, value in details.items() if value not in (None, "")},
        },
    )
    return change


AT_SCHOOL = frozenset({S.ENROLLED, S.SUSPENDED, S.VISITING})


@transaction.atomic
def student_transfer_out(
    *,
    actor: Actor,
    student: Student,
    effective_on: datetime.date,
    new_school_code: str = "",
    new_school_name: str = "",
    note: str = "",
) -> TransferPackage:
    """轉出: the student leaves for another school. Seals the portfolio and queues the transfer package."""
    change = _change(
        actor=actor,
        student=student,
        kind=ChangeKind.TRANSFER_OUT,
        effective_on=effective_on,
        note=note,
        allowed_from=AT_SCHOOL,
        status_after=S.TRANSFERRED_OUT,
        seal=True,
        other_school_code=_check_school_code(new_school_code, required=False),
        other_school_name=(new_school_name or "").strip()[:100],
    )
    return transfer_package_request(actor=actor, student=change.student)


@transaction.atomic
def student_graduate(*, actor: Actor, student: Student, effective_on: datetime.date, note: str = "") -> StatusChange:
    """畢業: seals the portfolio; the data is kept for the school's graduates' retention period."""
    return _change(
        actor=actor,
        student=student,
        kind=ChangeKind.GRADUATE,
        effective_on=effective_on,
        note=note,
        allowed_from=frozenset({S.ENROLLED, S.VISITING}),
        status_after=S.GRADUATED,
        seal=True,
    )


@transaction.atomic
def student_leave(*, actor: Actor, student: Student, effective_on: datetime.date, note: str = "") -> StatusChange:
    """離校 (withdrawal, 退學 …): seals the portfolio; kept for the leavers' retention period."""
    return _change(
        actor=actor,
        student=student,
        kind=ChangeKind.LEAVE,
        effective_on=effective_on,
        note=note,
        allowed_from=AT_SCHOOL,
        status_after=S.LEFT,
        seal=True,
    )


@transaction.atomic
def student_suspend(*, actor: Actor, student: Student, effective_on: datetime.date, note: str = "") -> StatusChange:
    """休學: the student adds nothing to their portfolio and is not submitted until they resume."""
    return _change(
        actor=actor,
        student=student,
        kind=ChangeKind.SUSPEND,
        effective_on=effective_on,
        note=note,
        allowed_from=frozenset({S.ENROLLED}),
        status_after=S.SUSPENDED,
    )


@transaction.atomic
def student_resume(*, actor: Actor, student: Student, effective_on: datetime.date, note: str = "") -> StatusChange:
    """復學: back from suspension."""
    return _change(
        actor=actor,
        student=student,
        kind=ChangeKind.RESUME,
        effective_on=effective_on,
        note=note,
        allowed_from=frozenset({S.SUSPENDED}),
        status_after=S.ENROLLED,
    )


@transaction.atomic
def student_repeat_year(
    *, actor: Actor, student: Student, effective_on: datetime.date, repeated_year: int, note: str = ""
) -> StatusChange:
    """重讀: the student takes an academic year again; that year's records carry the repeat flag."""
    if not repeated_year or not 90 <= int(repeated_year) <= 200:
        raise ServiceError(_("Enter the academic year that is repeated, like 113."), field="repeated_year")
    return _change(
        actor=actor,
        student=student,
        kind=ChangeKind.REPEAT,
        effective_on=effective_on,
        note=note,
        allowed_from=frozenset({S.ENROLLED, S.SUSPENDED}),
        status_after=S.ENROLLED,
        repeated_year=int(repeated_year),
    )


@transaction.atomic
def student_visiting_start(
    *,
    actor: Actor,
    student: Student,
    host_school_code: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    host_school_name: str = "",
    note: str = "",
    group_code: str = "",
    programme_code: str = "",
    visiting_code: str = "",
) -> StatusChange:
    """借讀: the student studies at a host school between two dates; course outcomes of those terms are
    tagged with the host school code. ``group_code``, ``programme_code`` and ``visiting_code`` are the
    host's 群別, 借讀科班學程別 and 借讀代碼 of the roster's 學生借讀資料."""
    code = _check_school_code(host_school_code, required=True)
    codes: dict[str, Any] = {}
    for field, value, limit in (
        ("visiting_group_code", group_code, 4),
        ("visiting_programme_code", programme_code, 6),
        ("visiting_code", visiting_code, 10),
    ):
        try:
            codes[field] = roster_codes.code(value, limit)
        except roster_codes.RosterValueError as error:
            raise ServiceError(str(error), field=field) from None
    if code == student.school.code:
        raise ServiceError(_("The host school cannot be this school."), field="other_school_code")
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise ServiceError(_("The visiting study must end on or after the day it starts."), field="ends_on")
    return _change(
        actor=actor,
        student=student,
        kind=ChangeKind.VISITING,
        effective_on=starts_on,
        note=note,
        allowed_from=frozenset({S.ENROLLED}),
        status_after=S.VISITING,
        other_school_code=code,
        other_school_name=(host_school_name or "").strip()[:100],
        starts_on=starts_on,
        ends_on=ends_on,
        **codes,
    )


@transaction.atomic
def student_visiting_end(
    *, actor: Actor, student: Student, effective_on: datetime.date, note: str = ""
) -> StatusChange:
    """Back from visiting study (借讀結束)."""
    return _change(
        actor=actor,
        student=student,
        kind=ChangeKind.VISITING_END,
        effective_on=effective_on,
        note=note,
        allowed_from=frozenset({S.VISITING}),
        status_after=S.ENROLLED,
    )


def _delete_stored(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


SEALING_KINDS = frozenset({ChangeKind.TRANSFER_OUT, ChangeKind.LEAVE, ChangeKind.GRADUATE})


@transaction.atomic
def status_change_correct(*, actor: Actor, student: Student, reason: str) -> StatusChange:
    """Undo a student's latest status change recorded by mistake: the status it replaced comes back,
    a portfolio it sealed opens again, and a transfer package it queued is withdrawn.

    Allowed while the data have not left the school: a transfer out whose package was downloaded
    cannot be undone here (the new school may already hold it), and nothing is left to correct once
    retention has deleted the student. A transfer in is undone by the school it came from, not here."""
    school = student.school
    effective = authorise(actor, school, "lifecycle.manage_status")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the status change was a mistake."), field="reason")
    if len(reason) > 300:
        raise ServiceError(_("Keep the reason under 300 characters."), field="reason")
    student = Student.objects.select_for_update().get(pk=student.pk)
    latest = StatusChange.objects.filter(student=student).order_by("-recorded_at", "-pk").first()
    if latest is None:
        raise ServiceError(_("%(name)s has no status change to correct.") % {"name": student.name})
    if latest.kind == ChangeKind.TRANSFER_IN:
        raise ServiceError(_("A transfer in cannot be undone here; record the student's next change instead."))
    if student.status != latest.status_after:
        raise ServiceError(_("The student's status no longer matches their latest change; it cannot be undone."))
    packages = TransferPackage.objects.filter(student=student)
    downloaded = packages.filter(downloaded_at__isnull=False).order_by("downloaded_at").first()
    if latest.kind == ChangeKind.TRANSFER_OUT and downloaded is not None:
        from licheng.schools.rocdate import format_roc

        raise ServiceError(
            _(
                "The transfer package was downloaded on %(day)s: the data have left the school, so the "
                "transfer out cannot be undone. If the student stays, the new school sends them back by transfer."
            )
            % {"day": format_roc(timezone.localtime(downloaded.downloaded_at).date())}
        )
    withdrawn: list[str] = []
    if latest.kind == ChangeKind.TRANSFER_OUT:
        stored = [package.storage_name for package in packages if package.storage_name]
        withdrawn = [package.file_name for package in packages]
        packages.delete()
        transaction.on_commit(lambda: _delete_stored(stored))
    before, after = latest.status_before or S.ENROLLED, student.status
    undone = {
        "kind": latest.kind,
        "effective_on": latest.effective_on,
        "status": [after, before],
        "note": latest.note,
        "recorded_by": latest.recorded_by_id,
        "reason": reason,
        "unsealed": latest.kind in SEALING_KINDS,
        "packages_withdrawn": withdrawn,
    }
    student.status = before
    fields = ["status"]
    if latest.kind in SEALING_KINDS:
        student.sealed_at = None
        fields.append("sealed_at")
    student.save(update_fields=fields)
    latest.delete()
    record(actor=effective, school=school, action="lifecycle.correct", obj=student, changes=undone)
    latest.student = student
    return latest


@transaction.atomic
def grade_graduate(
    *, actor: Actor, school: Any, grade: int, effective_on: datetime.date, expected: int, note: str = ""
) -> int:
    """Graduate every student at school in ``grade``'s classes of the current academic year in one
    step. ``expected`` is the count the registry confirmed: if students changed meanwhile nothing is
    recorded. Returns how many graduated."""
    from licheng.lifecycle.selectors import graduating_students

    authorise(actor, school, "lifecycle.manage_status")
    if effective_on is None:
        raise ServiceError(_("Enter the date of the change."), field="effective_on")
    students = list(graduating_students(school, grade))
    if not students:
        raise ServiceError(_("No student of this grade can graduate now."), field="grade")
    if len(students) != expected:
        raise ServiceError(
            _("%(now)d students can graduate now, not the %(expected)d you confirmed; look at the list again.")
            % {"now": len(students), "expected": expected}
        )
    for student in students:
        student_graduate(actor=actor, student=student, effective_on=effective_on, note=note)
    return len(students)


@transaction.atomic
def transfer_package_download(*, actor: Actor, package: TransferPackage) -> TransferPackage:
    """Note that the package leaves the school (the first download is kept; every one is audited)."""
    school = package.school
    effective = authorise(actor, school, "lifecycle.manage_status")
    if package.downloaded_at is None:
        TransferPackage.objects.filter(pk=package.pk, downloaded_at=None).update(downloaded_at=timezone.now())
        package.refresh_from_db(fields=["downloaded_at"])
    record(
        actor=effective,
        school=school,
        action="lifecycle.package_download",
        obj=package,
        changes={"sha256": package.sha256},
    )
    return package


# --- transfer packages ----------------------------------------------------------------------------


@transaction.atomic
def transfer_package_request(*, actor: Actor, student: Student) -> TransferPackage:
    """Queue the building of a student's transfer package (again, when one failed or is lost)."""
    from licheng.lifecycle.tasks import build_transfer_package

    school = student.school
    effective = authorise(actor, school, "lifecycle.manage_status")
    if student.status != S.TRANSFERRED_OUT:
        raise ServiceError(_("A transfer package is made for a student who transferred out."))
    package = TransferPackage.objects.create(
        school=school,
        student=student,
        file_name=transfer_package.package_file_name(school.code, student.student_number),
        requested_by=actor.user,
    )
    record(actor=effective, school=school, action="lifecycle.package_request", obj=package, changes={})
    package_pk = package.pk
    transaction.on_commit(lambda: build_transfer_package.enqueue(package_id=package_pk))
    return package


def transfer_package_build(*, package: TransferPackage) -> TransferPackage:
    """Write the package to a temporary file, then into private storage (the background task calls it)."""
    if package.state == PackageState.READY and package.storage_name and default_storage.exists(package.storage_name):
        return package
    student = package.student
    password = transfer_package.new_password()
    fd, tmp = tempfile.mkstemp(prefix="licheng-transfer-", suffix=".zip")
    try:
        with os.fdopen(fd, "w+b") as out:
            count = transfer_package.write(student, out, password=password)
            out.flush()
            size = out.tell()
            out.seek(0)
            from licheng.files.services import hash_file

            sha256 = hash_file(tmp)
            name = f"transfers/{package.school.code}/{package.pk}-{package.file_name}"
            saved = default_storage.save(name, File(out, name=package.file_name))
    except (ServiceError, OSError) as error:
        if isinstance(error, ServiceError):
            message = error.message
        else:
            logger.exception("transfer package %s could not be built", package.pk)
            message = _("A stored file could not be read; the package was not made. Run the integrity check and retry.")
        TransferPackage.objects.filter(pk=package.pk).update(
            state=PackageState.FAILED, error=str(message)[:300], finished_at=timezone.now()
        )
        package.refresh_from_db()
        return package
    finally:
        Path(tmp).unlink(missing_ok=True)
    with transaction.atomic():
        TransferPackage.objects.filter(pk=package.pk).update(
            state=PackageState.READY,
            storage_name=saved,
            sha256=sha256,
            size=size,
            file_count=count,
            error="",
            finished_at=timezone.now(),
            password_cipher=crypto.encrypt(password),
            password_shown_at=None,
            password_shown_to=None,
        )
        package.refresh_from_db()
        record(
            actor=Actor.system(),
            school=package.school,
            action="lifecycle.package_ready",
            obj=package,
            changes={"sha256": sha256, "size": size, "files": count},
        )
    return package


@transaction.atomic
def transfer_package_password_reveal(*, actor: Actor, package: TransferPackage) -> str:
    """Show the package's password once: answer it and forget it (only its being shown is kept).
    A lost password needs a new package (``transfer_package_request``)."""
    effective = authorise(actor, package.school, "lifecycle.manage_status")
    package = TransferPackage.objects.select_for_update().get(pk=package.pk)
    if package.state != PackageState.READY or not package.password_cipher:
        raise ServiceError(_("The password of this package was already shown. If it is lost, make the package again."))
    password = crypto.decrypt(package.password_cipher)
    package.password_cipher = ""
    package.password_shown_at = timezone.now()
    package.password_shown_to = actor.user
    package.save(update_fields=["password_cipher", "password_shown_at", "password_shown_to"])
    record(actor=effective, school=package.school, action="lifecycle.package_password_shown", obj=package)
    return password


# --- legal holds ----------------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(*, actor: Actor, student: Student, reason: str) -> LegalHold:
    """A legal hold stops the retention job for this student until it is released."""
    school = student.school
    require(actor, school, "lifecycle.manage_holds")
    if actor.user is None:
        raise ServiceError(_("A legal hold is placed by a named person."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason for the legal hold."), field="reason")
    if len(reason) > 300:
        raise ServiceError(_("Keep the reason under 300 characters."), field="reason")
    Student.objects.select_for_update().get(pk=student.pk)
    if LegalHold.objects.filter(school=school, student=student, released_at=None).exists():
        raise ServiceError(_("This student already has a legal hold in force."), field="reason")
    hold = LegalHold.objects.create(school=school, student=student, reason=reason, placed_by=actor.user)
    record(actor=actor, school=school, action="lifecycle.hold_place", obj=hold, changes={"reason": reason})
    return hold


@transaction.atomic
def legal_hold_release(*, actor: Actor, hold: LegalHold, note: str = "") -> LegalHold:
    school = hold.school
    require(actor, school, "lifecycle.manage_holds")
    if actor.user is None:
        raise ServiceError(_("A legal hold is released by a named person."))
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise ServiceError(_("This legal hold was already released."))
    hold.released_at = timezone.now()
    hold.released_by = actor.user
    hold.release_note = check_note(note)
    hold.save(update_fields=["released_at", "released_by", "release_note"])
    record(actor=actor, school=school, action="lifecycle.hold_release", obj=hold, changes={"note": hold.release_note})
    return hold


# Transfer in and retention live in their own modules; they are state changes of this app too.
from licheng.lifecycle.retention import retention_apply  # noqa: E402, F401
from licheng.lifecycle.transfer_in import student_transfer_in  # noqa: E402, F401
