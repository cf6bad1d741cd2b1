"""Every change to performances, selections, writings, reviews and code tables.

Caps (uploads per year, selections per year) are counted while holding a lock on the student's
row (``select_for_update``), so two tabs or a double click cannot both pass the check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.lifecycle.selectors import ensure_may_upload
from licheng.people.models import Student
from licheng.people.roles import OFFICE_ROLES
from licheng.people.sealing import ensure_not_sealed
from licheng.people.selectors import may
from licheng.performances import windows
from licheng.performances.kinds import CodeTable, Kind, clean_fields, spec_for
from licheng.performances.models import (
    Performance,
    PerformanceCode,
    PerformanceFile,
    PerformanceSelection,
    ReviewerRole,
    Source,
    Writing,
    WritingKind,
    WritingReview,
)
from licheng.performances.selectors import (
    codes_for,
    may_review_as_guidance,
    may_review_as_homeroom,
    own_student,
    selected_count,
    uploaded_count,
)
from licheng.performances.writings import SECTION_MAX_CHARS, SECTIONS, render
from licheng.schools.models import AcademicYear, School
from licheng.schools.selectors import current_term, rules_for

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from licheng.files.models import StoredFile

MAX_FILES_PER_PERFORMANCE = 10
MB = 1024 * 1024


def _lock(student: Student) -> Student:
    return Student.objects.select_for_update().get(pk=student.pk)


def _require_own_student(actor: Actor, school: School) -> Student:
    student = own_student(actor.user, school) if actor.user is not None else None  # type: ignore[arg-type]
    if student is None:
        raise ServiceError(_("Only students can do this."))
    return student


def _this_year(school: School) -> AcademicYear:
    term = current_term(school)
    if term is None:
        raise ServiceError(_("The school has no term yet; ask the registry section to set up the calendar."))
    return term.academic_year


def _clean_description(school: School, academic_year: AcademicYear, description: str) -> str:
    text = (description or "").strip()
    # The column holds 500 characters whatever a school sets.
    limit = min(rules_for(school, academic_year).description_max_chars, 500)
    if not text:
        raise ServiceError(_("Write a short description."), field="description")
    if len(text) > limit:
        raise ServiceError(
            _("The description can be at most %(max)d characters (it has %(count)d).")
            % {"max": limit, "count": len(text)},
            field="description",
        )
    return text


def clean_external_link(link: str) -> str:
    text = (link or "").strip()
    if not text:
        return ""
    if len(text) > 500:
        raise ServiceError(_("The external link is too long."), field="external_link")
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise ServiceError(
            _("The external link must be a web address starting with http:// or https://."), field="external_link"
        ) from None
    return text


def _ingest(actor: Actor, school: School, academic_year: AcademicYear, uploads: Iterable[UploadedFile]) -> list[Any]:
    from licheng.files.services import files_ingest

    return files_ingest(actor=actor, school=school, uploads=uploads, rules=rules_for(school, academic_year))


def _attach(performance: Performance, stored_files: list[Any], start: int) -> None:
    PerformanceFile.objects.bulk_create(
        PerformanceFile(school_id=performance.school_id, performance=performance, stored_file=f, position=start + i)
        for i, f in enumerate(stored_files)
    )


# --- performances --------------------------------------------------------------------------------


@transaction.atomic
def performance_create(
    *,
    actor: Actor,
    school: School,
    kind: int,
    description: str,
    fields: Mapping[str, Any],
    external_link: str = "",
    uploads: Iterable[UploadedFile] = (),
) -> Performance:
    """A student adds a performance for the current academic year, in the upload window, under the
    yearly cap."""
    student = _require_own_student(actor, school)
    ensure_may_upload(student)
    academic_year = _this_year(school)
    spec = spec_for(kind)
    if not windows.upload_open(school, academic_year):
        raise ServiceError(_("Performances can only be uploaded while the upload window is open."))
    clean_description = _clean_description(school, academic_year, description)
    link = clean_external_link(external_link)
    values = clean_fields(spec.kind, dict(fields), codes_for(school))
    uploads = list(uploads)
    if len(uploads) > MAX_FILES_PER_PERFORMANCE:
        raise ServiceError(
            _("A performance can have at most %(max)d files.") % {"max": MAX_FILES_PER_PERFORMANCE}, field="files"
        )
    student = _lock(student)
    cap = rules_for(school, academic_year).performances_per_year
    if uploaded_count(student, academic_year) >= cap:
        raise ServiceError(
            _("You have already uploaded %(cap)d performances this academic year, the most allowed.") % {"cap": cap}
        )
    stored = _ingest(actor, school, academic_year, uploads)
    performance = Performance.objects.create(
        school=school,
        student=student,
        academic_year=academic_year,
        kind=spec.kind,
        description=clean_description,
        external_link=link,
        fields=values,
        source=Source.STUDENT,
        recorded_by=actor.user,
    )
    _attach(performance, stored, 0)
    record(
        actor=actor,
        school=school,
        action="performance.create",
        obj=performance,
        changes={"kind": [None, performance.kind], "description": [None, clean_description], "files": len(stored)},
    )
    return performance


def _editable(actor: Actor, school: School, performance: Performance) -> Student:
    student = _require_own_student(actor, school)
    if performance.student_id != student.pk:
        raise ServiceError(_("This performance is not yours."))
    ensure_may_upload(student)
    if performance.source != Source.STUDENT:
        raise ServiceError(_("Staff-verified performances are kept by the office that entered them."))
    if performance.withdrawn_at is not None:
        raise ServiceError(_("This performance has been withdrawn."))
    if not windows.upload_open(school, performance.academic_year):
        raise ServiceError(_("Performances can only be changed while the upload window is open."))
    return student


@transaction.atomic
def performance_update(
    *,
    actor: Actor,
    school: School,
    performance: Performance,
    description: str,
    fields: Mapping[str, Any],
    external_link: str = "",
    uploads: Iterable[UploadedFile] = (),
    remove_file_ids: Iterable[int] = (),
) -> Performance:
    _editable(actor, school, performance)
    clean_description = _clean_description(school, performance.academic_year, description)
    link = clean_external_link(external_link)
    values = clean_fields(performance.kind, dict(fields), codes_for(school))
    remove = {int(i) for i in remove_file_ids}
    existing = list(PerformanceFile.objects.filter(performance=performance))
    kept = [f for f in existing if f.stored_file_id not in remove]
    uploads = list(uploads)
    if len(kept) + len(uploads) > MAX_FILES_PER_PERFORMANCE:
        raise ServiceError(
            _("A performance can have at most %(max)d files.") % {"max": MAX_FILES_PER_PERFORMANCE}, field="files"
        )
    stored = _ingest(actor, school, performance.academic_year, uploads)
    before = {"description": performance.description, "external_link": performance.external_link}
    before_fields = dict(performance.fields)
    PerformanceFile.objects.filter(performance=performance, stored_file_id__in=remove).delete()
    performance.description = clean_description
    performance.external_link = link
    performance.fields = values
    performance.save(update_fields=["description", "external_link", "fields", "updated_at"])
    _attach(performance, stored, max((f.position for f in kept), default=-1) + 1)
    changes: dict[str, Any] = {
        key: [before[key], getattr(performance, key)] for key in before if before[key] != getattr(performance, key)
    }
    if before_fields != values:
        changes["fields"] = [before_fields, values]
    if stored or remove:
        changes["files"] = {"added": len(stored), "removed": sorted(remove)}
    record(actor=actor, school=school, action="performance.update", obj=performance, changes=changes)
    return performance


@transaction.atomic
def performance_withdraw(*, actor: Actor, school: School, performance: Performance) -> Performance:
    student = _lock(_editable(actor, school, performance))
    if PerformanceSelection.objects.filter(student=student, performance=performance).exists():
        raise ServiceError(_("This performance is selected; unselect it before withdrawing it."))
    performance.withdrawn_at = timezone.now()
    performance.save(update_fields=["withdrawn_at", "updated_at"])
    record(actor=actor, school=school, action="performance.withdraw", obj=performance)
    return performance


@transaction.atomic
def performance_record_by_office(
    *,
    actor: Actor,
    school: School,
    student: Student,
    kind: int,
    fields: Mapping[str, Any],
    description: str,
    office: str,
    academic_year: AcademicYear | None = None,
    external_link: str = "",
) -> Performance:
    """An office enters a staff-verified performance (cadre roles by 訓育組, certificates by 實習處 …).
    It shows on the student's list marked as staff-verified, does not count against the student's
    upload cap, and only the office may change it. No window applies."""
    if actor.user is None or not may(actor.user, school, "performances.record"):  # type: ignore[arg-type]
        raise ServiceError(_("You may not enter performances for an office."))
    if office not in {role.value for role in OFFICE_ROLES}:
        raise ServiceError(_("Choose the office entering this record."), field="office")
    if student.school_id != school.pk:
        raise ServiceError(_("This student is not in your school."))
    ensure_not_sealed(student)
    academic_year = academic_year or _this_year(school)
    spec = spec_for(kind)
    performance = Performance.objects.create(
        school=school,
        student=student,
        academic_year=academic_year,
        kind=spec.kind,
        description=_clean_description(school, academic_year, description),
        external_link=clean_external_link(external_link),
        fields=clean_fields(spec.kind, dict(fields), codes_for(school)),
        source=Source.OFFICE,
        office=office,
        recorded_by=actor.user,
    )
    record(
        actor=actor,
        school=school,
        action="performance.record_by_office",
        obj=performance,
        changes={"kind": [None, performance.kind], "office": [None, office], "student": [None, student.pk]},
    )
    return performance


@transaction.atomic
def performance_update_by_office(
    *,
    actor: Actor,
    school: School,
    performance: Performance,
    fields: Mapping[str, Any],
    description: str,
    academic_year: AcademicYear,
) -> Performance:
    """The office changes a staff-verified performance it entered (a corrected certificate date, a
    re-imported row). The student cannot; a selection of it stays."""
    if actor.user is None or not may(actor.user, school, "performances.record"):  # type: ignore[arg-type]
        raise ServiceError(_("You may not enter performances for an office."))
    performance = Performance.objects.select_for_update().get(pk=performance.pk, school=school)
    if performance.source != Source.OFFICE:
        raise ServiceError(_("Only performances entered by an office can be changed here."))
    ensure_not_sealed(performance.student)
    before = {
        "fields": performance.fields,
        "description": performance.description,
        "year": performance.academic_year_id,
    }
    performance.fields = clean_fields(performance.kind, dict(fields), codes_for(school))
    performance.description = _clean_description(school, academic_year, description)
    performance.academic_year = academic_year
    performance.save(update_fields=["fields", "description", "academic_year"])
    after = {"fields": performance.fields, "description": performance.description, "year": academic_year.pk}
    if after != before:
        record(
            actor=actor,
            school=school,
            action="performance.update_by_office",
            obj=performance,
            changes={key: [before[key], after[key]] for key in before if before[key] != after[key]},
        )
    return performance


@transaction.atomic
def performance_withdraw_by_office(
    *, actor: Actor, school: School, performance: Performance, reason: str
) -> Performance:
    """The office takes back a staff-verified performance it entered by mistake (the wrong student,
    a record that did not happen). It leaves the student's list, and their selection if they had
    selected it, and the student is told why. It is kept, withdrawn, for the audit trail."""
    from django.urls import reverse
    from django.utils.translation import gettext_noop

    from licheng.notifications.models import Category
    from licheng.notifications.services import notify

    if actor.user is None or not may(actor.user, school, "performances.record"):  # type: ignore[arg-type]
        raise ServiceError(_("You may not enter performances for an office."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the record is deleted; the student is told."), field="reason")
    if len(reason) > 200:
        raise ServiceError(_("The reason can be at most 200 characters."), field="reason")
    performance = (
        Performance.objects.select_for_update(of=("self",))
        .select_related("student__user")
        .get(pk=performance.pk, school=school)
    )
    if performance.source != Source.OFFICE:
        raise ServiceError(_("Only performances entered by an office can be changed here."))
    ensure_not_sealed(performance.student)
    if performance.withdrawn_at is not None:
        return performance
    selection_removed, _deleted = PerformanceSelection.objects.filter(performance=performance).delete()
    performance.withdrawn_at = timezone.now()
    performance.save(update_fields=["withdrawn_at", "updated_at"])
    record(
        actor=actor,
        school=school,
        action="performance.withdraw_by_office",
        obj=performance,
        changes={"reason": reason, "selection_removed": bool(selection_removed)},
    )
    notify(
        user=performance.student.user,
        message=gettext_noop("The school removed the record “{description}” from your performances: {reason}"),
        params={"description": performance.description, "reason": reason},
        link=reverse("performances:mine"),
        category=Category.RESULT,
    )
    return performance


# --- selection -----------------------------------------------------------------------------------


def _selectable(actor: Actor, school: School, performance: Performance) -> Student:
    student = _require_own_student(actor, school)
    if performance.student_id != student.pk or performance.withdrawn_at is not None:
        raise ServiceError(_("This performance is not one of yours."))
    ensure_may_upload(student)
    if not windows.selection_open(school, performance.academic_year):
        raise ServiceError(_("Selection is closed: performances can only be selected in the selection window."))
    return student


@transaction.atomic
def performance_select(*, actor: Actor, school: School, performance: Performance) -> PerformanceSelection:
    student = _lock(_selectable(actor, school, performance))
    existing = PerformanceSelection.objects.filter(student=student, performance=performance).first()
    if existing is not None:
        return existing
    cap = rules_for(school, performance.academic_year).performances_selected
    if selected_count(student, performance.academic_year) >= cap:
        raise ServiceError(
            _("You have already selected %(cap)d performances for this academic year, the most allowed.") % {"cap": cap}
        )
    selection = PerformanceSelection.objects.create(
        school=school, student=student, academic_year=performance.academic_year, performance=performance
    )
    record(actor=actor, school=school, action="performance.select", obj=performance)
    return selection


@transaction.atomic
def performance_unselect(*, actor: Actor, school: School, performance: Performance) -> None:
    student = _lock(_selectable(actor, school, performance))
    deleted, _detail = PerformanceSelection.objects.filter(student=student, performance=performance).delete()
    if deleted:
        record(actor=actor, school=school, action="performance.unselect", obj=performance)


# --- writings ------------------------------------------------------------------------------------


@transaction.atomic
def writing_save(
    *,
    actor: Actor,
    school: School,
    kind: str,
    sections: Mapping[str, str],
    attachment: UploadedFile | None = None,
    remove_attachment: bool = False,
) -> Writing:
    """A student writes (or rewrites) their reflection, autobiography or study plan for the current
    term. Every section is the student's text (paragraphs, bold, italics, lists, links:
    ``writings.render``) or HTML, kept as sanitised HTML."""
    student = _require_own_student(actor, school)
    ensure_may_upload(student)
    if kind not in WritingKind.values:
        raise ServiceError(_("Unknown kind of writing."), field="kind")
    term = current_term(school)
    if term is None or not windows.writing_open(school, term):
        raise ServiceError(_("Writings can only be changed for the current term."))
    cleaned: dict[str, str] = {}
    for key, label in SECTIONS[kind]:
        html = render(str(sections.get(key) or ""))
        if len(html) > SECTION_MAX_CHARS:
            raise ServiceError(
                _("%(section)s is too long (at most %(max)d characters).")
                % {"section": label, "max": SECTION_MAX_CHARS},
                field=key,
            )
        cleaned[key] = html
    if not any(cleaned.values()) and attachment is None:
        raise ServiceError(_("Write at least one section or attach a file."))
    student = _lock(student)
    writing = Writing.objects.filter(student=student, term=term, kind=kind).first()
    stored: StoredFile | None = None
    if attachment is not None:
        stored = _ingest(actor, school, term.academic_year, [attachment])[0]
    created = writing is None
    if writing is None:
        writing = Writing(school=school, student=student, term=term, kind=kind)
    before = dict(writing.sections)
    writing.sections = cleaned
    if stored is not None:
        writing.attachment = stored
    elif remove_attachment:
        writing.attachment = None
    writing.save()
    record(
        actor=actor,
        school=school,
        action="writing.create" if created else "writing.update",
        obj=writing,
        changes={"sections": sorted(k for k in cleaned if cleaned[k] != before.get(k)), "kind": kind},
    )
    return writing


@transaction.atomic
def writing_review(
    *, actor: Actor, school: School, writing: Writing, role: str, comment: str, checked: bool
) -> WritingReview:
    """The guidance office or the student's homeroom teacher comments on a writing and marks it checked."""
    user = actor.user
    if user is None:
        raise ServiceError(_("You may not review this writing."))
    if role == ReviewerRole.HOMEROOM:
        allowed = may_review_as_homeroom(user, writing.student)
    elif role == ReviewerRole.GUIDANCE:
        allowed = may_review_as_guidance(user, school)
    else:
        allowed = False
    if not allowed:
        raise ServiceError(_("You may not review this writing."))
    ensure_not_sealed(writing.student)
    text = (comment or "").strip()
    if len(text) > 2000:
        raise ServiceError(_("The comment can be at most 2000 characters."), field="comment")
    review = WritingReview.objects.filter(writing=writing, role=role).first()
    before = {"comment": review.comment if review else None, "checked": bool(review and review.checked_at)}
    if review is None:
        review = WritingReview(school=school, writing=writing, role=role, reviewer=user)
    review.reviewer = user
    review.comment = text
    if checked and review.checked_at is None:
        review.checked_at = timezone.now()
    elif not checked:
        review.checked_at = None
    review.save()
    record(
        actor=actor,
        school=school,
        action="writing.review",
        obj=writing,
        changes={
            "role": role,
            "comment": [before["comment"], text],
            "checked": [before["checked"], review.checked_at is not None],
        },
    )
    return review


# --- code tables ---------------------------------------------------------------------------------


@transaction.atomic
def performance_code_save(
    *, actor: Actor, school: School, table: str, code: str, label: str, active: bool = True
) -> PerformanceCode:
    """Add or change one code of a code table. The first change to a table copies its defaults in,
    so editing one code keeps the others."""
    from licheng.performances.kinds import DEFAULT_CODES

    if actor.user is None or not may(actor.user, school, "performances.manage_codes"):  # type: ignore[arg-type]
        raise ServiceError(_("You may not change the code tables."))
    if table not in CodeTable.values:
        raise ServiceError(_("Unknown code table."), field="table")
    code = (code or "").strip()
    label = (label or "").strip()
    if not code or len(code) > 10 or not code.isalnum():
        raise ServiceError(_("A code is 1 to 10 letters or digits."), field="code")
    if not label or len(label) > 60:
        raise ServiceError(_("A label is 1 to 60 characters."), field="label")
    if not PerformanceCode.objects.filter(school=school, table=table).exists():
        PerformanceCode.objects.bulk_create(
            PerformanceCode(school=school, table=table, code=c, label=str(lbl)) for c, lbl in DEFAULT_CODES[table]
        )
    row, created = PerformanceCode.objects.get_or_create(
        school=school, table=table, code=code, defaults={"label": label, "active": active}
    )
    before = {"label": row.label, "active": row.active}
    row.label = label
    row.active = active
    row.save()
    record(
        actor=actor,
        school=school,
        action="performance_code.save",
        obj=row,
        changes={"label": [None if created else before["label"], label], "active": [before["active"], active]},
    )
    return row


__all__ = [
    "Kind",
    "clean_external_link",
    "performance_code_save",
    "performance_create",
    "performance_record_by_office",
    "performance_select",
    "performance_unselect",
    "performance_update",
    "performance_withdraw",
    "writing_review",
    "writing_save",
]
