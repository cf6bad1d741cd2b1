"""Roles a person can hold in a school, the permissions there are, and which role gets which
by default. A school admin can change the mapping per school (角色權限設定); the codes stay here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class Role(models.TextChoices):
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    WORKING_GROUP = "working_group", _("Working-group member")
    REGISTRY = "registry", _("Registry section")
    CURRICULUM = "curriculum", _("Curriculum section")
    RESEARCH = "research", _("Research section")
    ACTIVITIES = "activities", _("Activities section")
    DISCIPLINE = "discipline", _("Discipline section")
    GUIDANCE = "guidance", _("Guidance office")
    INTERNSHIP = "internship", _("Internship office")
    CONTINUING_EDUCATION = "continuing_education", _("Continuing-education division")
    LIBRARY_IT = "library_it", _("Library and IT section")
    SUBJECT_TEACHER = "subject_teacher", _("Subject teacher")
    HOMEROOM_TEACHER = "homeroom_teacher", _("Homeroom teacher")
    COURSE_COUNSELLOR = "course_counsellor", _("Course counsellor")
    STUDENT = "student", _("Student")
    PARENT = "parent", _("Parent")


# Roles that are an office (處室/組): data entry for an office can be delegated to a proxy.
OFFICE_ROLES = (
    Role.REGISTRY,
    Role.CURRICULUM,
    Role.RESEARCH,
    Role.ACTIVITIES,
    Role.DISCIPLINE,
    Role.GUIDANCE,
    Role.INTERNSHIP,
    Role.CONTINUING_EDUCATION,
    Role.LIBRARY_IT,
)
STAFF_ROLES = tuple(role for role in Role if role not in (Role.STUDENT, Role.PARENT))

# Every permission there is. Views and API routes declare one of these.
PERMISSIONS: dict[str, StrOrPromise] = {
    "school.view_settings": _("See the school's settings, calendar and classes"),
    "school.manage_settings": _("Change the school's rules, calendar, divisions and classes"),
    "school.manage_roles": _("Grant roles and change what each role may do"),
    "people.view_students": _("See every student of the school"),
    "people.view_national_id": _("See national ID numbers unmasked"),
    "people.manage_students": _("Create and change student profiles"),
    "people.manage_staff": _("Create and change staff accounts"),
    "people.manage_parents": _("Create parent accounts and link them to students"),
    "people.import_accounts": _("Create accounts in bulk from a spreadsheet"),
    "courses.view_all": _("See every course and enrolment"),
    "courses.manage": _("Create courses, assign teachers and enrol students"),
    "proxies.manage": _("Assign proxies for anyone in the school"),
    "audit.view": _("See the history of records"),
}

_OFFICE_BASE = {"school.view_settings", "people.view_students", "courses.view_all"}

DEFAULT_ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SCHOOL_ADMIN: set(PERMISSIONS),
    Role.WORKING_GROUP: _OFFICE_BASE | {"proxies.manage", "audit.view"},
    Role.REGISTRY: _OFFICE_BASE
    | {
        "people.view_national_id",
        "people.manage_students",
        "people.manage_parents",
        "people.import_accounts",
        "audit.view",
    },
    Role.CURRICULUM: _OFFICE_BASE | {"courses.manage", "audit.view"},
    Role.RESEARCH: set(_OFFICE_BASE),
    Role.ACTIVITIES: set(_OFFICE_BASE),
    Role.DISCIPLINE: set(_OFFICE_BASE),
    Role.GUIDANCE: set(_OFFICE_BASE),
    Role.INTERNSHIP: set(_OFFICE_BASE),
    Role.CONTINUING_EDUCATION: _OFFICE_BASE | {"people.manage_students", "people.view_national_id"},
    Role.LIBRARY_IT: _OFFICE_BASE | {"people.manage_staff", "people.import_accounts"},
    Role.SUBJECT_TEACHER: {"school.view_settings"},
    Role.HOMEROOM_TEACHER: {"school.view_settings"},
    Role.COURSE_COUNSELLOR: {"school.view_settings"},
    Role.STUDENT: set(),
    Role.PARENT: set(),
}
