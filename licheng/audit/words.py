"""The audit trail in words: what an entry's action, object and changed fields mean to a reader.

Entries store codes (``account.login``, ``{"status": ["enrolled", "graduated"]}``, a user's id);
pages show them as a translated action label, the object's kind and name, and each changed field
by its label with its values as a person reads them (choices by their label, people and other
records by name, yes/no, dates in ROC form).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, Any] = {
    "academic_year.create": _("Academic year created"),
    "account.lockout": _("Login locked after failed attempts"),
    "account.login": _("Logged in"),
    "account.password_change": _("Password changed"),
    "account.password_reset": _("Password reset by e-mail link"),
    "account.reset_throttled": _("Password-reset request refused (too many)"),
    "account_import.apply": _("Account import applied"),
    "account_import.check": _("Account import checked"),
    "account_import.passwords_printed": _("Initial passwords printed"),
    "account_import.passwords_downloaded": _("Initial passwords downloaded"),
    "announcement.post": _("Announcement posted"),
    "announcement.withdraw": _("Announcement withdrawn"),
    "api_token.create": _("API token created"),
    "api_token.revoke": _("API token revoked"),
    "backup.run": _("Backup made"),
    "calendar_token.issue": _("Calendar address issued"),
    "calendar_token.revoke": _("Calendar address revoked"),
    "certification_reason.save": _("Certification reason saved"),
    "checklist.generate": _("Self-check list generated"),
    "checklist_item.create": _("Self-check item added"),
    "checklist_item.delete": _("Self-check item removed"),
    "checklist_item.tick": _("Self-check item ticked"),
    "class.create": _("Class created"),
    "class.update": _("Class changed"),
    "counselling.attachments_add": _("Counselling attachments added"),
    "counselling.import_applied": _("Counselling records imported"),
    "counselling.import_checked": _("Counselling import checked"),
    "counselling.session_create": _("Counselling session recorded"),
    "counselling.session_delete": _("Counselling session deleted"),
    "counselling.session_update": _("Counselling session changed"),
    "course.create": _("Course created"),
    "course.teacher_add": _("Teacher added to course"),
    "course.teacher_remove": _("Teacher removed from course"),
    "course.update": _("Course changed"),
    "course_outcome.edit": _("Course outcome changed"),
    "course_outcome.pass": _("Course outcome certified"),
    "course_outcome.remind": _("Reminder about a course outcome"),
    "course_outcome.select": _("Course outcome selected"),
    "course_outcome.unselect": _("Course outcome unselected"),
    "course_outcome.upload": _("Course outcome uploaded"),
    "course_outcome.withdraw": _("Course outcome withdrawn"),
    "demo_school.load": _("Demo school loaded"),
    "demo_school.operator_create": _("Operator account created"),
    "division.create": _("Division created"),
    "division.update": _("Division changed"),
    "enrolment.add": _("Student enrolled in course"),
    "enrolment.remove": _("Student removed from course"),
    "file.delete": _("File deleted"),
    "file.upload": _("File uploaded"),
    "files.scrub": _("Stored files checked"),
    "help_request.answer": _("Help request answered"),
    "help_request.create": _("Help request sent"),
    "lifecycle.hold_place": _("Legal hold placed"),
    "lifecycle.hold_release": _("Legal hold released"),
    "lifecycle.package_password_shown": _("Transfer package password shown"),
    "lifecycle.package_ready": _("Transfer package made"),
    "lifecycle.package_request": _("Transfer package requested"),
    "lifecycle.retention_delete": _("Data deleted after retention period"),
    "lifecycle.retention_run": _("Retention job run"),
    "lifecycle.transfer_in": _("Student transferred in"),
    "lifecycle.transfer_out": _("Student transferred out"),
    "lifecycle.graduate": _("Student graduated"),
    "lifecycle.leave": _("Student left school"),
    "lifecycle.suspend": _("Student suspended studies"),
    "lifecycle.resume": _("Student resumed studies"),
    "lifecycle.visit": _("Visiting study elsewhere"),
    "lifecycle.repeat": _("Year repeated"),
    "parent.create": _("Parent account created"),
    "parent.link": _("Parent linked to student"),
    "parent.unlink": _("Parent unlinked from student"),
    "parent_code.issue": _("Parent code issued"),
    "parent_code.redeem": _("Parent code redeemed"),
    "parent_code.refuse": _("Parent code refused"),
    "parent_code.revoke": _("Parent code revoked"),
    "parent_notice.send": _("Notice sent to parents"),
    "performance.create": _("Performance added"),
    "performance.record_by_office": _("Performance entered by an office"),
    "performance.select": _("Performance selected"),
    "performance.unselect": _("Performance unselected"),
    "performance.update": _("Performance changed"),
    "performance.update_by_office": _("Performance changed by an office"),
    "performance.withdraw": _("Performance withdrawn"),
    "performance.withdraw_by_office": _("Performance withdrawn by an office"),
    "performance_code.save": _("Performance code saved"),
    "portfolio_export.request": _("Portfolio export requested"),
    "proxy.assign": _("Proxy assigned"),
    "proxy.revoke": _("Proxy revoked"),
    "proxy.update": _("Proxy changed"),
    "receipt.confirm": _("Receipt confirmed"),
    "receipt.dispute": _("Receipt disputed"),
    "receipt.dispute_answer": _("Receipt dispute answered"),
    "receipt.import": _("Receipt imported"),
    "receipt.window_close": _("Receipt confirmation window closed"),
    "records.cadre_roles_verified": _("Cadre roles verified"),
    "records.course_codes_imported": _("Course codes imported"),
    "records.import_applied": _("Records imported"),
    "records.import_checked": _("Records import checked"),
    "records.grade_created": _("Grade entered"),
    "records.grade_updated": _("Grade changed"),
    "records.office_record_created": _("Office record entered"),
    "records.office_record_deleted": _("Office record deleted"),
    "records.office_record_updated": _("Office record changed"),
    "reminder_settings.set": _("Reminder settings changed"),
    "roles.grant": _("Role granted"),
    "roles.grant_new_permissions": _("New permissions granted to roles"),
    "roles.reset_permissions": _("Role permissions reset to defaults"),
    "roles.revoke": _("Role revoked"),
    "roles.set_permission": _("Role permission changed"),
    "roles.set_permissions": _("Role permissions changed"),
    "rules.override_create": _("Rules set for a year"),
    "rules.override_remove": _("Rules for a year removed"),
    "rules.update": _("School rules changed"),
    "schedule.copy": _("Schedule copied from last year"),
    "schedule_entry.create": _("Schedule window added"),
    "schedule_entry.delete": _("Schedule window removed"),
    "schedule_entry.update": _("Schedule window changed"),
    "schedule_extension.grant": _("Window extended for a person"),
    "school.create": _("School created"),
    "staff.create": _("Staff member created"),
    "staff.update": _("Staff member changed"),
    "student.create": _("Student created"),
    "student.update": _("Student profile changed"),
    "submission.start": _("Submission started"),
    "term.create": _("Term created"),
    "term.update": _("Term changed"),
    "verification.close": _("Profile check closed"),
    "verification.confirm": _("Profile confirmed"),
    "verification.open": _("Profile check opened"),
    "verification.report": _("Profile error reported"),
    "verification.resolve": _("Profile error resolved"),
    "window_extension.grant": _("Window extended for a person"),
    "workinggroup.evaluation_record": _("Evaluation recorded"),
    "workinggroup.meeting_attach": _("Meeting attachment added"),
    "workinggroup.meeting_record": _("Meeting recorded"),
    "workinggroup.member_add": _("Working-group member added"),
    "workinggroup.member_leave": _("Working-group member left"),
    "workinggroup.training_record": _("Training recorded"),
    "writing.create": _("Writing saved"),
    "writing.review": _("Writing reviewed"),
}

# Keys some entries use that are not fields of the object's model.
EXTRA_FIELDS: dict[str, Any] = {
    "role": _("role"),
    "principal": _("principal"),
    "proxy": _("proxy"),
    "teacher": _("teacher"),
    "parent": _("parent"),
    "student": _("student"),
    "user": _("user"),
    "username": _("login name"),
    "until": _("until"),
    "created": _("rows added"),
    "updated": _("rows changed"),
    "unchanged": _("rows unchanged"),
    "rows": _("rows"),
    "errors": _("problems"),
    "record_type": _("kind of records"),
    "row_changes": _("rows with their changes"),
    "row_changes_sha256": _("fingerprint of the row changes"),
    "national_id": _("national ID"),
    "added": _("added"),
    "removed": _("removed"),
    "term": _("term"),
    "reason": _("reason"),
}
USER_KEYS = {"principal", "proxy", "teacher", "parent", "user", "actor", "placed_by", "released_by", "granted_by"}
HIDDEN_KEYS = {"row_changes_sha256"}


def action_label(action: str) -> str:
    label = ACTIONS.get(action)
    if label is not None:
        return str(label)
    kind, _dot, verb = action.partition(".")
    if kind == "lifecycle":
        from licheng.lifecycle.models import ChangeKind

        if verb in ChangeKind.values:
            return str(ChangeKind(verb).label)
    if kind == "records" and verb.endswith("_deleted"):
        return gettext_now("Record deleted")
    if kind == "account_import" and verb.startswith("passwords_"):
        return gettext_now("Initial passwords shown")
    return gettext_now("Change recorded")


def model_of(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_kind(object_type: str) -> str:
    model = model_of(object_type)
    return str(model._meta.verbose_name) if model is not None else ""


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            field = model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field):
            return field
    return None


def field_label(model: type[models.Model] | None, name: str) -> str:
    if name in EXTRA_FIELDS:
        return str(EXTRA_FIELDS[name])
    field = _field(model, name)
    if field is not None:
        return str(field.verbose_name)
    return name.replace("_", " ")


def _name_of(model: type[models.Model], pk: Any) -> str:
    """The record's name; a value that is not its key (an entry may store a label, "114-1") as it is."""
    try:
        key = model._meta.pk.to_python(pk)  # type: ignore[union-attr]
    except (ValidationError, TypeError, ValueError):
        return str(pk)
    if not isinstance(pk, (int, str)) or (isinstance(pk, str) and not pk.isdigit() and isinstance(key, int)):
        return str(pk)
    obj = model._base_manager.filter(pk=key).first()
    return str(obj) if obj is not None else f"#{pk}"


def value_words(model: type[models.Model] | None, name: str, value: Any) -> str:
    """A stored value as a reader says it."""
    from licheng.schools.rocdate import format_roc

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext_now("yes") if value else gettext_now("no")
    field = _field(model, name)
    if field is not None and field.choices:
        labels = {str(k): v for k, v in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if field is not None and field.is_relation and field.related_model is not None:
        return _name_of(field.related_model, value)  # type: ignore[arg-type]
    if name in USER_KEYS:
        from licheng.people.models import User

        return _name_of(User, value)
    if name == "role":
        from licheng.people.roles import Role

        if value in Role.values:
            return str(Role(value).label)
    if isinstance(value, list):
        return "、".join(value_words(model, name, v) for v in value) or "—"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return format_roc(datetime.date.fromisoformat(value))
        except ValueError:
            pass
    return str(value)


def change_rows(object_type: str, changes: Any) -> list[dict[str, Any]]:
    """An entry's ``changes`` as rows of words: ``{field: [before, after]}`` gives before and after,
    any other value is what was set."""
    if not isinstance(changes, dict):
        return [{"field": "", "before": None, "after": str(changes), "is_diff": False}] if changes else []
    model = model_of(object_type)
    rows = []
    for name, value in changes.items():
        if name in HIDDEN_KEYS:
            continue
        label = field_label(model, name)
        if isinstance(value, list) and len(value) == 2 and name not in ("added", "removed"):
            rows.append(
                {
                    "field": label,
                    "before": value_words(model, name, value[0]),
                    "after": value_words(model, name, value[1]),
                    "is_diff": True,
                }
            )
        else:
            rows.append({"field": label, "before": None, "after": value_words(model, name, value), "is_diff": False})
    return rows
