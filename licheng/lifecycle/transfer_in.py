"""Transfer in (轉入): a student arrives with the transfer package their previous school's platform made.

Every hash is checked before anything is read (``licheng.lifecycle.package.verify``); the student is
created; every record from before the transfer becomes a ``TransferredRecord`` (course records also a
``records.Grade`` of the transfer variant, 轉學轉科), kept apart from the school's own; every file is
stored like an upload. Any refusal changes nothing, stored bytes included.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.lifecycle import package as transfer_package
from licheng.lifecycle.guards import authorise, check_note, require
from licheng.lifecycle.models import (
    ChangeKind,
    RecordKind,
    StatusChange,
    TransferIn,
    TransferredFile,
    TransferredRecord,
)
from licheng.people.models import Student

# --- transfer in ----------------------------------------------------------------------------------


def _blob_cleanup(written: list[tuple[str, str]]) -> None:
    """After a refused import: remove the bytes this import stored that no row refers to."""
    from licheng.files.services import delete_unreferenced

    for sha256, name in written:
        delete_unreferenced(default_storage, name, sha256)


def _ingest_transferred_file(
    *, actor: Actor, school: Any, pkg: transfer_package.Package, ref: dict[str, Any], written: list[tuple[str, str]]
) -> Any:
    """Store one file of a verified package like any upload (type and content checks, virus scan,
    content-addressed storage verified against its hash, a ``StoredFile`` row and an audit entry) —
    but keep its bytes exactly: images were already cleaned when the previous school accepted them,
    and the file must keep the SHA-256 the manifest gives."""
    from licheng.files import checks, clamav
    from licheng.files.models import ScanStatus
    from licheng.files.services import hold_incoming, incoming_dir, record_stored_file, store_blob

    assert actor.user is not None  # checked by student_transfer_in
    fd, path = tempfile.mkstemp(prefix="licheng-transfer-in-", dir=incoming_dir())
    hold_incoming(fd)
    made: list[str] = [path]
    try:
        with os.fdopen(fd, "wb") as dst, pkg.open_file(ref["path"]) as src:
            while chunk := src.read(transfer_package.CHUNK):
                dst.write(chunk)
        size = os.path.getsize(path)
        try:
            inspected = checks.inspect(
                name=str(ref.get("name") or "file"),
                path=path,
                size=size,
                kinds=("document", "media"),
                max_bytes={"document": max(size, 1), "media": max(size, 1)},
            )
        except checks.FileRejected as error:
            raise ServiceError(
                _("The file %(name)s in the package was refused: %(reason)s")
                % {"name": ref.get("name"), "reason": error.message},
                field="package",
            ) from None
        made.extend(inspected.made_files)
        scan_status = ScanStatus.NOT_SCANNED
        address = clamav.scanner_address()
        if address is not None:
            try:
                result = clamav.scan_file(path, address)
            except clamav.ScannerUnavailable:
                raise ServiceError(_("The virus scanner is unavailable. Please try again later.")) from None
            if not result.clean:
                raise ServiceError(
                    _("The virus scanner found malware in %(name)s; the package was not imported.")
                    % {"name": ref.get("name")}
                )
            scan_status = ScanStatus.CLEAN
        try:
            sha256, name, wrote = store_blob(path, sha256=ref["sha256"])
        except checks.FileRejected as error:
            raise ServiceError(error.message, field="package") from None
        if wrote:
            written.append((sha256, name))
        return record_stored_file(
            actor=actor,
            school=school,
            inspected=inspected,
            sha256=sha256,
            storage_name=name,
            size=size,
            scan_status=scan_status,
            origin="transfer package",
        )
    finally:
        for made_path in made:
            Path(made_path).unlink(missing_ok=True)


def _grade_from(data: dict[str, Any], *, school: Any, student: Student) -> Any:
    """A ``records.Grade`` of the transfer variant (轉學轉科) for a course record from before the transfer,
    mapped by default to the year, term and grade level it was taken in (the registry may change the mapping)."""
    from decimal import Decimal, InvalidOperation

    from licheng.records.models import Grade, GradeVariant

    def number(key: str) -> Decimal | None:
        value = data.get(key)
        if value in (None, ""):
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None

    values = {field: data.get(field) for field in transfer_package.GRADE_FIELDS}
    for key in ("score", "makeup_score", "retake_score", "transfer_score"):
        values[key] = number(key)
    for key in ("method", "original_course_code", "original_subject_name", "qualitative_description"):
        values[key] = values[key] or ""
    values["is_repeat"] = bool(values["is_repeat"])
    values["variant"] = GradeVariant.TRANSFER
    values["mapped_academic_year"] = values["mapped_academic_year"] or data["academic_year"]
    values["mapped_term"] = values["mapped_term"] or data["term"]
    values["mapped_grade_level"] = values["mapped_grade_level"] or data["grade_level"]
    if values["transfer_score"] is None:
        values["transfer_score"] = values["score"]
    natural_key: dict[str, Any] = {
        "student": student,
        "academic_year": values["academic_year"],
        "term": values["term"],
        "course_code": values["course_code"],
        "variant": GradeVariant.TRANSFER,
    }
    if Grade.objects.filter(**natural_key).exists():
        return None
    return Grade.objects.create(school=school, **{**values, **natural_key})


def _student_from(
    *, actor: Actor, school: Any, profile: dict[str, Any], student_number: str, school_class: Any, seat: int | None
) -> Student:
    from licheng.people import crypto
    from licheng.people.services import student_create
    from licheng.schools.models import Division

    try:
        nid = str(profile["national_id"])
        birth_date = datetime.date.fromisoformat(str(profile["birth_date"]))
        sex = int(profile["sex"])
        name = str(profile["name"])
        entry_year = int(profile["entry_year"])
    except (KeyError, TypeError, ValueError):
        raise ServiceError(_("The package's records are incomplete or malformed."), field="package") from None
    if Student.objects.filter(school=school, national_id_digest=crypto.digest(nid.strip().upper())).exists():
        raise ServiceError(
            _("%(name)s is already a student of this school; a transfer package cannot add them twice.")
            % {"name": name},
            field="package",
        )
    divisions = Division.objects.filter(school=school)
    code = profile.get("division_code")
    division = (
        school_class.division
        if school_class is not None
        else (divisions.filter(code=code).first() if isinstance(code, int) else None)
        or divisions.order_by("code").first()
    )
    if division is None:
        raise ServiceError(_("Set up the school's divisions before importing a transfer package."))
    return student_create(
        actor=actor,
        school=school,
        student_number=student_number,
        name=name,
        national_id=nid,
        birth_date=birth_date,
        sex=sex,
        division=division,
        entry_year=entry_year,
        school_class=school_class,
        seat=seat,
    )


def student_transfer_in(
    *,
    actor: Actor,
    school: Any,
    package_path: str,
    package_name: str,
    student_number: str,
    effective_on: datetime.date,
    school_class: Any = None,
    seat: int | None = None,
    note: str = "",
    package_password: str = "",
) -> TransferIn:
    """轉入: create the student from a transfer package made by a school of any Licheng deployment, with
    every record from before the transfer tagged as such (轉學轉科) and every file stored and hashed
    like an upload. Every hash is checked before anything is read; any refusal changes nothing."""
    require(actor, school, "lifecycle.manage_status")
    if actor.user is None:
        raise ServiceError(_("Only a signed-in person can import a transfer package."))
    if effective_on is None:
        raise ServiceError(_("Enter the date of the change."), field="effective_on")
    pkg = transfer_package.verify(package_path, package_password)
    written: list[tuple[str, str]] = []
    try:
        with transaction.atomic():
            transfer = _import(
                actor=actor,
                school=school,
                pkg=pkg,
                package_path=package_path,
                package_name=package_name,
                student_number=student_number,
                effective_on=effective_on,
                school_class=school_class,
                seat=seat,
                note=note,
                written=written,
            )
    except BaseException:
        _blob_cleanup(written)
        raise
    finally:
        pkg.archive.close()
    return transfer


def _import(
    *,
    actor: Actor,
    school: Any,
    pkg: transfer_package.Package,
    package_path: str,
    package_name: str,
    student_number: str,
    effective_on: datetime.date,
    school_class: Any,
    seat: int | None,
    note: str,
    written: list[tuple[str, str]],
) -> TransferIn:
    from licheng.files.services import hash_file

    effective = authorise(actor, school, "lifecycle.manage_status")
    origin = pkg.head.get("school") or {}
    origin_code = str(origin.get("code") or "")[:6]
    profile = pkg.documents["profile.json"]
    student = _student_from(
        actor=actor, school=school, profile=profile, student_number=student_number, school_class=school_class, seat=seat
    )
    transfer = TransferIn.objects.create(
        school=school,
        student=student,
        origin_school_code=origin_code,
        origin_school_name=str(origin.get("name") or "")[:100],
        origin_student_number=str(profile.get("student_number") or "")[:20],
        package_sha256=hash_file(package_path),
        package_name=(package_name or "")[:200],
        format_version=int(pkg.head["version"]),
        imported_by=actor.user,
    )
    StatusChange.objects.create(
        school=school,
        student=student,
        kind=ChangeKind.TRANSFER_IN,
        effective_on=effective_on,
        note=check_note(note),
        status_before="",
        status_after=student.status,
        other_school_code=origin_code,
        other_school_name=transfer.origin_school_name,
        recorded_by=actor.user,
    )
    stored_by_sha: dict[str, Any] = {}

    def stored_for(ref: dict[str, Any]) -> Any:
        if ref["sha256"] not in stored_by_sha:
            stored_by_sha[ref["sha256"]] = _ingest_transferred_file(
                actor=effective, school=school, pkg=pkg, ref=ref, written=written
            )
        return stored_by_sha[ref["sha256"]]

    def add(kind: str, *, academic_year: Any, term: Any, title: str, state: str, data: Any, refs: list[Any]) -> None:
        item = TransferredRecord.objects.create(
            school=school,
            transfer=transfer,
            student=student,
            kind=kind,
            academic_year=int(academic_year),
            term=int(term) if term else None,
            title=str(title)[:200],
            state=state,
            data=data,
        )
        for position, ref in enumerate(refs):
            TransferredFile.objects.create(school=school, record=item, stored_file=stored_for(ref), position=position)
        if kind == RecordKind.COURSE_RECORD:
            item.grade = _grade_from(data, school=school, student=student)
            item.save(update_fields=["grade"])

    try:
        for grade in pkg.documents["course_records.json"]:
            add(
                RecordKind.COURSE_RECORD,
                academic_year=grade["academic_year"],
                term=grade["term"],
                title=f"{grade['subject_name']} ({grade['course_code']})",
                state="",
                data=grade,
                refs=[],
            )
        for outcome in pkg.documents["course_outcomes.json"]:
            versions = outcome.get("versions") or []
            latest = versions[-1] if versions else {}
            add(
                RecordKind.COURSE_OUTCOME,
                academic_year=outcome["academic_year"],
                term=outcome["term"],
                title=f"{outcome['subject_name']} ({outcome['course_code']})",
                state=str(latest.get("state", "")),
                data=outcome,
                refs=[ref for version in versions for ref in version.get("files", [])],
            )
        for performance in pkg.documents["performances.json"]:
            add(
                RecordKind.PERFORMANCE,
                academic_year=performance["academic_year"],
                term=None,
                title=f"{performance.get('kind_label', '')} {performance.get('description', '')}".strip(),
                state="",
                data=performance,
                refs=list(performance.get("files") or []),
            )
        for writing in pkg.documents["writings.json"]:
            add(
                RecordKind.WRITING,
                academic_year=writing["academic_year"],
                term=writing["term"],
                title=str(writing.get("kind", "")),
                state="",
                data=writing,
                refs=[writing["attachment"]] if writing.get("attachment") else [],
            )
    except ServiceError:
        raise
    except (KeyError, TypeError, ValueError):
        raise ServiceError(_("The package's records are incomplete or malformed."), field="package") from None
    record(
        actor=effective,
        school=school,
        action="lifecycle.transfer_in",
        obj=student,
        changes={
            "from": origin_code,
            "package_sha256": transfer.package_sha256,
            "records": transfer.records.count(),
            "files": len(stored_by_sha),
        },
    )
    return transfer
