"""Changes to office-entered learning records. A new record becomes a staff-verified performance
through ``performances.services.performance_record_by_office``; ``OfficeRecord`` keeps its natural
key so that a second entry or import of the same record updates it instead of adding another."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.core.permissions import roles_of
from licheng.core.spreadsheets import Checked, Row
from licheng.people.models import Student
from licheng.people.roles import OFFICE_ROLES
from licheng.people.sealing import ensure_not_sealed
from licheng.records.office_models import OfficeRecord
from licheng.records.office_records import (
    OFFICE_KINDS,
    PERMISSION,
    OfficeKind,
    academic_year_of,
    clean,
    default_description,
    natural_key,
)
from licheng.records.services import _require
from licheng.schools.models import AcademicYear, School


def office_for(actor: Actor, school: School, spec: OfficeKind) -> str:
    """The office the actor enters for: the first of the kind's offices they hold, else any office
    they hold, else the kind's usual office."""
    held = roles_of(actor.user, school) if actor.user is not None else frozenset()  # type: ignore[arg-type]
    for office in spec.offices:
        if office in held:
            return str(office)
    for office in OFFICE_ROLES:
        if office in held:
            return str(office)
    return str(spec.offices[0])


def _academic_year(school: School, year: int) -> AcademicYear:
    found = AcademicYear.objects.filter(school=school, year=year).first()
    if found is None:
        raise ServiceError(_("The school has no academic year %(year)s in its calendar.") % {"year": year})
    return found


def _description(school: School, academic_year: AcademicYear, text: str) -> str:
    from licheng.schools.selectors import rules_for

    limit = min(rules_for(school, academic_year).description_max_chars, 500)
    if len(text) > limit:
        raise ServiceError(
            _("The description can be at most %(max)d characters (it has %(count)d).")
            % {"max": limit, "count": len(text)},
            field="description",
        )
    return text


def _write(
    actor: Actor,
    school: School,
    spec: OfficeKind,
    student: Student,
    fields: dict[str, Any],
    description: str,
    existing: OfficeRecord | None,
) -> tuple[OfficeRecord, bool]:
    """Create or update one record from checked fields; returns it and whether anything changed."""
    from licheng.performances.services import performance_record_by_office, performance_update_by_office

    year = _academic_year(school, academic_year_of(spec, fields))
    text = _description(school, year, (description or "").strip() or default_description(spec, fields))
    key = natural_key(spec, fields)
    if existing is None:
        performance = performance_record_by_office(
            actor=actor,
            school=school,
            student=student,
            kind=spec.performance_kind,
            fields=fields,
            description=text,
            office=office_for(actor, school, spec),
            academic_year=year,
        )
        entry = OfficeRecord.objects.create(
            school=school,
            student=student,
            kind=spec.key,
            academic_year=year.year,
            key=key,
            performance=performance,
            office=performance.office,
            entered_by=actor.user,
        )
        return entry, True
    performance = existing.performance
    if (performance.fields, performance.description, performance.academic_year_id, existing.key) == (
        fields,
        text,
        year.pk,
        key,
    ):
        return existing, False
    before = {"fields": performance.fields, "description": performance.description}
    # The office keeps what it entered: its record's performance follows the office's changes.
    performance_update_by_office(
        actor=actor, school=school, performance=performance, fields=fields, description=text, academic_year=year
    )
    existing.key, existing.academic_year = key, year.year
    existing.save(update_fields=["key", "academic_year", "updated_at"])
    record(
        actor=actor,
        school=school,
        action="records.office_record_updated",
        obj=existing,
        changes={"before": before, "after": {"fields": fields, "description": text}},
    )
    return existing, True


def office_record_save(
    *,
    actor: Actor,
    school: School,
    kind: str,
    student: Student,
    fields: dict[str, Any],
    description: str = "",
    entry: OfficeRecord | None = None,
) -> OfficeRecord:
    """Enter (or, with ``entry``, change) one office record; ``fields`` are the performance's raw
    fields (dates as ISO text). The same record twice for a student is refused."""
    from licheng.performances.selectors import codes_for

    spec = OFFICE_KINDS[kind]
    _require(actor, school, PERMISSION)
    if student.school_id != school.pk:
        raise ServiceError(_("This student is not in your school."))
    ensure_not_sealed(student)
    if entry is not None:
        ensure_not_sealed(entry.student)
    cleaned = clean(spec, {**fields, **dict(spec.fixed)}, codes_for(school))
    key = natural_key(spec, cleaned)
    with transaction.atomic():
        clash = OfficeRecord.objects.filter(school=school, student=student, kind=kind, key=key)
        if entry is not None:
            clash = clash.exclude(pk=entry.pk)
        if clash.exists():
            raise ServiceError(_("This student already has this record."))
        if entry is not None and entry.student_id != student.pk:
            raise ServiceError(_("A record cannot be moved to another student; enter it again for them."))
        saved, _changed = _write(actor, school, spec, student, cleaned, description, entry)
        if entry is None:
            record(
                actor=actor,
                school=school,
                action="records.office_record_created",
                obj=saved,
                changes={"kind": kind, "student": student.student_number},
            )
    return saved


def office_record_delete(*, actor: Actor, school: School, entry: OfficeRecord, reason: str) -> None:
    """Delete a record entered by mistake: its performance is withdrawn (and unselected, the student
    told why) and the record goes, so the same record can be entered again for the right student.
    The withdrawal checks the permission and that the student is not sealed."""
    from licheng.performances.services import performance_withdraw_by_office

    with transaction.atomic():
        performance_withdraw_by_office(actor=actor, school=school, performance=entry.performance, reason=reason)
        record(
            actor=actor,
            school=school,
            action="records.office_record_deleted",
            obj=entry,
            changes={"kind": entry.kind, "student": entry.student.student_number, "reason": reason.strip()},
        )
        entry.delete()


def writer(spec: OfficeKind) -> Any:
    """The import writer: rows already checked (students found and not sealed, fields clean)."""

    def write(school: School, rows: list[Row], checked: Checked, present: list[str], actor: Actor) -> dict[str, int]:
        values = [checked.values[row.line] for row in rows]
        student_ids = sorted({v["student_id"] for v in values})
        students = {s.pk: s for s in Student.objects.filter(school=school, pk__in=student_ids)}
        existing = {
            (r.student_id, r.key): r
            for r in OfficeRecord.objects.filter(
                school=school, kind=spec.key, student_id__in=student_ids
            ).select_related("performance")
        }
        created = updated = 0
        for v in values:
            student = students[v["student_id"]]
            ensure_not_sealed(student)
            found = existing.get((student.pk, v["key"]))
            _entry, changed = _write(actor, school, spec, student, v["fields"], v.get("description") or "", found)
            if found is None:
                created += 1
            elif changed:
                updated += 1
        return {"created": created, "updated": updated, "unchanged": len(values) - created - updated}

    return write


WRITERS = {key: writer(spec) for key, spec in OFFICE_KINDS.items()}
