"""Changes to staff records: importing spreadsheets (check → preview → apply), entering a grade,
importing course codes. Every function checks permission, runs in one transaction and writes one
audit entry; a refusal the user can fix raises ``ServiceError`` and changes nothing."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, RowChange, diff, record, snapshot
from licheng.core import spreadsheets as sheets
from licheng.core.errors import ServiceError
from licheng.core.spreadsheets import Checked, Row
from licheng.people import crypto, roster_codes
from licheng.people.models import Student
from licheng.people.sealing import ensure_not_sealed
from licheng.people.selectors import may
from licheng.records import bulk, importers, staff_records
from licheng.records.models import CourseCode, Grade, GradeVariant, ImportBatch
from licheng.schools.models import School


def _require(actor: Actor, school: School, permission: str) -> None:
    if actor.user is not None and not may(actor.user, school, permission):
        raise ServiceError(_("You do not have permission for this."))


# ---------------------------------------------------------------------------------------------
# Import batches
# ---------------------------------------------------------------------------------------------


def _seal(record_type: importers.RecordType, rows: list[Row], present: list[str]) -> list[list[Any]]:
    """Rows as stored on the batch: only the file's columns (``present``, in column order), secret
    cells encrypted (``{position: cipher}``) and masked."""
    keep = [i for i, c in enumerate(record_type.columns) if c.key in present]
    secret = {pos for pos, i in enumerate(keep) if record_type.columns[i].secret}
    stored: list[list[Any]] = []
    for row in rows:
        cells = [row.cells[i] for i in keep]
        sealed = {}
        for pos in secret:
            if cells[pos]:
                sealed[str(pos)] = crypto.encrypt(cells[pos])
                cells[pos] = crypto.mask(cells[pos].strip().upper())
        stored.append([row.line, cells, sealed] if sealed else [row.line, cells])
    return stored


def _unseal(record_type: importers.RecordType, stored: list[list[Any]], present: list[str]) -> list[Row]:
    keep = [i for i, c in enumerate(record_type.columns) if c.key in present]
    width = len(record_type.columns)
    rows = []
    for entry in stored:
        compact = list(entry[1])
        if len(entry) > 2:
            for pos, cipher in entry[2].items():
                compact[int(pos)] = crypto.decrypt(cipher)
        cells = [""] * width
        for pos, i in enumerate(keep):
            cells[i] = compact[pos]
        rows.append(Row(entry[0], cells))
    return rows


def import_check(*, actor: Actor, school: School, record_type: str, file_name: str, content: bytes) -> ImportBatch:
    """Read and check an uploaded file; store it for the preview. A file that cannot be read at all
    raises ``ServiceError`` (nothing stored); row problems are stored on the batch."""
    kind = importers.RECORD_TYPES[record_type]
    _require(actor, school, kind.permission)
    present, rows = sheets.read_rows(kind.columns, content, file_name, max_rows=kind.max_rows)
    checked = kind.check(school, rows, present)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            school=school,
            record_type=record_type,
            file_name=file_name[:200],
            sha256=hashlib.sha256(content).hexdigest(),
            created_by=actor.user,  # type: ignore[misc]
            headers=present,
            rows=_seal(kind, rows, present),
            errors=checked.errors,
            row_count=len(rows),
            error_count=len(checked.errors),
        )
        record(
            actor=actor,
            school=school,
            action="records.import_checked",
            obj=batch,
            changes={"record_type": record_type, "rows": len(rows), "errors": len(checked.errors)},
        )
    return batch


def import_apply(*, actor: Actor, batch: ImportBatch) -> dict[str, int]:
    """Check the stored rows again and write them all in one transaction, or nothing."""
    kind = importers.RECORD_TYPES[batch.record_type]
    school = batch.school
    _require(actor, school, kind.permission)
    if batch.status != ImportBatch.Status.CHECKED:
        raise ServiceError(_("This file has already been imported."))
    rows = _unseal(kind, batch.rows, batch.headers)
    with transaction.atomic():
        checked = kind.check(school, rows, batch.headers)
        if not checked.ok:
            ImportBatch.objects.filter(pk=batch.pk).update(errors=checked.errors, error_count=len(checked.errors))
            batch.errors, batch.error_count = checked.errors, len(checked.errors)
            raise ServiceError(
                _("Nothing was imported: %(count)s problem(s) must be fixed first.") % {"count": len(checked.errors)}
            )
        summary = _writer_for(batch.record_type)(school, rows, checked, batch.headers, actor)
        # Writers that change existing rows name each one with its fields before and after.
        row_changes: list[RowChange] = summary.pop(ROW_CHANGES, [])
        batch.status = ImportBatch.Status.APPLIED
        batch.applied_at = timezone.now()
        batch.summary = summary
        batch.save(update_fields=["status", "applied_at", "summary"])
        record(
            actor=actor, school=school, action="records.import_applied", obj=batch, changes=summary, rows=row_changes
        )
    return summary


ROW_CHANGES = "_row_changes"
"""Key of a writer's summary under which it lists the ``RowChange`` of every row it changed."""


def _write_grades(
    school: School, rows: list[Row], checked: Checked, present: list[str], actor: Actor
) -> dict[str, Any]:
    values = [checked.values[row.line] for row in rows]
    student_ids = sorted({v["student_id"] for v in values})
    existing: dict[tuple[Any, ...], Grade] = {}
    for start in range(0, len(student_ids), 500):
        chunk = student_ids[start : start + 500]
        for grade in Grade.objects.filter(school=school, student_id__in=chunk):
            existing[(grade.student_id, grade.academic_year, grade.term, grade.course_code, grade.variant)] = grade
    created: list[list[Any]] = []
    changed: list[Grade] = []
    row_changes: list[RowChange] = []
    fields = importers.GRADE_VALUE_FIELDS
    now = timezone.now()
    for v in values:
        key = (v["student_id"], v["academic_year"], v["term_number"], v["course_code"], v["variant"])
        found = existing.get(key)
        if found is None:
            created.append([school.pk, *key, *(v[f] for f in fields), now, now])
        elif any(getattr(found, f) != v[f] for f in fields):
            before = snapshot(found, fields)
            for f in fields:
                setattr(found, f, v[f])
            found.updated_at = now
            changed.append(found)
            row_changes.append(RowChange(found, diff(before, snapshot(found, fields))))
    bulk.insert(
        Grade,
        ["school", "student", "academic_year", "term", "course_code", "variant", *fields, "created_at", "updated_at"],
        created,
    )
    bulk.update(Grade, [*fields, "updated_at"], changed)
    return {
        "created": len(created),
        "updated": len(changed),
        "unchanged": len(values) - len(created) - len(changed),
        ROW_CHANGES: row_changes,
    }


def _write_profiles(
    school: School, rows: list[Row], checked: Checked, present: list[str], actor: Actor
) -> dict[str, Any]:
    values = {checked.values[row.line]["student_id"]: checked.values[row.line] for row in rows}
    students = list(Student.objects.filter(school=school, pk__in=list(values)))
    changed = []
    roster = [name for name in roster_codes.ROSTER_FIELD_NAMES if name in present]
    row_changes: list[RowChange] = []
    fields = ["name", "school_class_id", "seat", "birth_date", *roster]
    for student in students:
        v = values[student.pk]
        before = [getattr(student, f) for f in fields]
        was = snapshot(student, fields)
        student.name = v["name"]
        if "class_name" in present:
            student.school_class_id = v["school_class_id"]
        if "seat" in present:
            student.seat = v["seat"]
        if "birth_date" in present:
            student.birth_date = v["birth_date"]
        for name in roster:
            setattr(student, name, v[name])
        if [getattr(student, f) for f in fields] != before:
            changed.append(student)
            row_changes.append(RowChange(student, diff(was, snapshot(student, fields))))
    if changed:
        # Free the seats first so that students swapping seats never collide mid-update.
        if "seat" in present or "class_name" in present:
            for start in range(0, len(changed), 500):
                Student.objects.filter(pk__in=[s.pk for s in changed[start : start + 500]]).update(seat=None)
        bulk.update(Student, ["name", "school_class", "seat", "birth_date", *roster], changed)
    return {"created": 0, "updated": len(changed), "unchanged": len(values) - len(changed), ROW_CHANGES: row_changes}


def _write_enrolments(
    school: School, rows: list[Row], checked: Checked, present: list[str], actor: Actor
) -> dict[str, int]:
    from licheng.courses.models import Enrolment

    wanted = {(checked.values[r.line]["course_id"], checked.values[r.line]["student_id"]) for r in rows}
    course_ids = sorted({course for course, _student in wanted})
    existing: set[tuple[int, int]] = set()
    for start in range(0, len(course_ids), 500):
        existing.update(
            Enrolment.objects.filter(school=school, course_id__in=course_ids[start : start + 500]).values_list(
                "course_id", "student_id"
            )
        )
    new = sorted(wanted - existing)
    bulk.insert(Enrolment, ["school", "course", "student"], ([school.pk, c, s] for c, s in new))
    return {"created": len(new), "updated": 0, "unchanged": len(wanted) - len(new)}


_WRITERS: dict[str, Any] = {"grades": _write_grades, "profiles": _write_profiles, "enrolments": _write_enrolments}
_WRITERS.update(staff_records.WRITERS)


def _writer_for(record_type: str) -> Any:
    """Each record type's writer, called with the acting user (office records become performances
    entered by them)."""
    if record_type not in _WRITERS:
        from licheng.records import electives, office_services

        _WRITERS.update(office_services.WRITERS)
        _WRITERS["elective_names"] = electives.write
    return _WRITERS[record_type]


# ---------------------------------------------------------------------------------------------
# Grades entered one by one
# ---------------------------------------------------------------------------------------------


def grade_save(
    *, actor: Actor, school: School, student: Student, values: dict[str, Any], grade: Grade | None = None
) -> Grade:
    """Create or change one grade. ``values`` are the form's cleaned fields."""
    _require(actor, school, "records.manage_grades")
    ensure_not_sealed(student)
    if grade is not None:
        ensure_not_sealed(grade.student)
    codes = importers.known_course_codes(school)
    if values["course_code"] not in codes:
        raise ServiceError(
            _("Course code %(value)s is not in this school's course codes; import the course codes first.")
            % {"value": values["course_code"]},
            field="course_code",
        )
    key = {
        "student": student,
        "academic_year": values["academic_year"],
        "term": values["term"],
        "course_code": values["course_code"],
        "variant": values["variant"],
    }
    with transaction.atomic():
        clash = Grade.objects.filter(school=school, **key)
        if grade is not None:
            clash = clash.exclude(pk=grade.pk)
        if clash.exists():
            raise ServiceError(
                _("This student already has a grade for this course code, term and record type."), field="course_code"
            )
        action = "records.grade_updated" if grade else "records.grade_created"
        audited = ("student", "academic_year", "term", "course_code", "variant", *values)
        before = snapshot(grade, audited) if grade is not None else {}
        if grade is None:
            grade = Grade(school=school)
        for name, value in {**key, **values}.items():
            setattr(grade, name, value)
        if grade.variant == GradeVariant.REPEAT:
            grade.is_repeat = True
        grade.save()
        # Every field that changed, before and after (a new grade: what it was set to).
        record(actor=actor, school=school, action=action, obj=grade, changes=diff(before, snapshot(grade, audited)))
    return grade


def grade_delete(*, actor: Actor, school: School, grade: Grade, reason: str) -> None:
    """Delete a grade entered by mistake; the audit entry keeps what it was and why it went."""
    _require(actor, school, "records.manage_grades")
    ensure_not_sealed(grade.student)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason for deleting this grade."), field="reason")
    if len(reason) > 200:
        raise ServiceError(_("Keep the reason under 200 characters."), field="reason")
    with transaction.atomic():
        grade = Grade.objects.select_for_update().get(pk=grade.pk, school=school)
        record(
            actor=actor,
            school=school,
            action="records.grade_deleted",
            obj=grade,
            changes={
                "student": grade.student.student_number,
                "term": f"{grade.academic_year}-{grade.term}",
                "course_code": grade.course_code,
                "variant": grade.variant,
                "score": str(grade.score) if grade.score is not None else None,
                "reason": reason,
            },
        )
        grade.delete()


# ---------------------------------------------------------------------------------------------
# Course codes
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class CourseCodeImport:
    created: int = 0
    updated: int = 0
    bad_lines: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.bad_lines


def course_codes_import(*, actor: Actor, school: School, file_name: str, content: bytes) -> CourseCodeImport:
    """Import the course-plan platform's TXT. Any bad line → nothing is written and every bad
    line is returned with its number; re-importing updates codes already there."""
    _require(actor, school, "records.manage_course_codes")
    good, bad = importers.read_course_code_txt(content, school.code)
    result = CourseCodeImport(bad_lines=bad)
    if bad:
        return result
    if not good:
        raise ServiceError(_("The file has no course codes."), field="file")
    now = timezone.now()
    with transaction.atomic():
        existing = {c.code: c for c in CourseCode.objects.filter(school=school)}
        created, changed = [], []
        for entry in good:
            fields = {
                "credits_per_term": entry.credits_per_term,
                "entry_year": int(entry.code[:3]),
                "is_flexible_or_group": importers.is_flexible_or_group(entry.code),
                "subject_name": entry.subject_name,
                "metadata": {**importers.course_code_metadata(entry.code), "extra": entry.extra},
            }
            code = existing.get(entry.code)
            if code is None:
                created.append(CourseCode(school=school, code=entry.code, imported_at=now, **fields))
            else:
                for name, value in fields.items():
                    setattr(code, name, value)
                code.imported_at = now
                changed.append(code)
        CourseCode.objects.bulk_create(created, batch_size=1000)
        CourseCode.objects.bulk_update(
            changed,
            ["credits_per_term", "entry_year", "is_flexible_or_group", "subject_name", "metadata", "imported_at"],
            batch_size=500,
        )
        result.created, result.updated = len(created), len(changed)
        record(
            actor=actor,
            school=school,
            action="records.course_codes_imported",
            obj=school,
            changes={"file": file_name[:200], "created": result.created, "updated": result.updated},
        )
    return result
