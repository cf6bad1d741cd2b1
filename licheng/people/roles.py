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

# --- course outcomes (licheng.portfolio) ---
_PORTFOLIO_PERMISSIONS: dict[str, StrOrPromise] = {
    "portfolio.view_all": _("See every student's course outcomes and the school's overview"),
    "portfolio.manage_reasons": _("Change the table of reasons for not passing certification"),
    "portfolio.grant_extensions": _("Extend upload, certification and selection windows for a person"),
}
PERMISSIONS.update(_PORTFOLIO_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.SCHOOL_ADMIN] |= set(_PORTFOLIO_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.WORKING_GROUP] |= {"portfolio.view_all"}
DEFAULT_ROLE_PERMISSIONS[Role.REGISTRY] |= set(_PORTFOLIO_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.CURRICULUM] |= set(_PORTFOLIO_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.GUIDANCE] |= {"portfolio.view_all"}

# --- performances and writings (licheng.performances) ---
_PERFORMANCES_PERMISSIONS: dict[str, StrOrPromise] = {
    "performances.view_all": _("See every student's performances and writings"),
    "performances.review_writings": _("Comment on and check students' writings for the guidance office"),
    "performances.manage_codes": _("Change the performance code tables"),
    "performances.record": _("Enter staff-verified performances for an office"),
}
PERMISSIONS.update(_PERFORMANCES_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.SCHOOL_ADMIN] |= set(_PERFORMANCES_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.WORKING_GROUP] |= {"performances.view_all", "performances.manage_codes"}
DEFAULT_ROLE_PERMISSIONS[Role.GUIDANCE] |= {
    "performances.view_all",
    "performances.review_writings",
    "performances.record",
}
for _office in (Role.CURRICULUM, Role.ACTIVITIES, Role.INTERNSHIP, Role.CONTINUING_EDUCATION):
    DEFAULT_ROLE_PERMISSIONS[_office] |= {"performances.record"}

# --- staff records: grades and course codes (licheng.records) ---
_RECORDS_PERMISSIONS: dict[str, StrOrPromise] = {
    "records.view_grades": _("See every student's grades"),
    "records.manage_grades": _("Enter and import grades"),
    "records.manage_course_codes": _("Import the course codes from the course-plan platform"),
}
PERMISSIONS.update(_RECORDS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.SCHOOL_ADMIN] |= set(_RECORDS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.REGISTRY] |= {"records.view_grades", "records.manage_grades"}
DEFAULT_ROLE_PERMISSIONS[Role.CONTINUING_EDUCATION] |= {"records.view_grades", "records.manage_grades"}
DEFAULT_ROLE_PERMISSIONS[Role.CURRICULUM] |= {"records.view_grades", "records.manage_course_codes"}
DEFAULT_ROLE_PERMISSIONS[Role.WORKING_GROUP] |= {"records.view_grades"}

# --- staff records: cadre roles, attendance, rewards and penalties (licheng.records) ---
_RECORDS_STAFF_PERMISSIONS: dict[str, StrOrPromise] = {
    "records.manage_cadre_roles": _("Enter, import and verify students' cadre roles"),
    "records.manage_discipline": _("Enter and import attendance, rewards and penalties"),
}
PERMISSIONS.update(_RECORDS_STAFF_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.SCHOOL_ADMIN] |= set(_RECORDS_STAFF_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.ACTIVITIES] |= {"records.manage_cadre_roles"}
DEFAULT_ROLE_PERMISSIONS[Role.INTERNSHIP] |= {"records.manage_cadre_roles"}
DEFAULT_ROLE_PERMISSIONS[Role.DISCIPLINE] |= {"records.manage_discipline"}
PERMISSIONS["records.manage_career"] = _("Enter and import students' career exploration")
for _role in (Role.SCHOOL_ADMIN, Role.GUIDANCE, Role.INTERNSHIP, Role.CONTINUING_EDUCATION):
    DEFAULT_ROLE_PERMISSIONS[_role] |= {"records.manage_career"}

# --- counselling records (licheng.counselling); not given to the school admin by default: the issue
# names the student, the homeroom teacher and the guidance office as the only readers ---
_COUNSELLING_PERMISSIONS: dict[str, StrOrPromise] = {
    "counselling.view_all": _("See every counselling record (guidance office)"),
    "counselling.manage": _("Enter counselling records for any student of the school"),
}
PERMISSIONS.update(_COUNSELLING_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.GUIDANCE] |= set(_COUNSELLING_PERMISSIONS)

# --- work schedule, windows and extensions (licheng.schedule) ---
_SCHEDULE_PERMISSIONS: dict[str, StrOrPromise] = {
    "schedule.view": _("See the school's work schedule with every window"),
    "schedule.manage": _("Change the work schedule and copy last year's"),
    "schedule.grant_extensions": _("Extend or re-open a window of the work schedule for one person"),
}
PERMISSIONS.update(_SCHEDULE_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.SCHOOL_ADMIN] |= set(_SCHEDULE_PERMISSIONS)
for _role in STAFF_ROLES:
    DEFAULT_ROLE_PERMISSIONS[_role] |= {"schedule.view"}
for _role in (Role.WORKING_GROUP, Role.REGISTRY, Role.CURRICULUM):
    DEFAULT_ROLE_PERMISSIONS[_role] |= set(_SCHEDULE_PERMISSIONS)

# --- self-check checklists and progress dashboards (licheng.progress) ---
_PROGRESS_PERMISSIONS: dict[str, StrOrPromise] = {
    "progress.view": _("See the self-check lists and the progress dashboards"),
    "progress.tick": _("Tick the self-check items of one's own office"),
    "progress.manage": _("Make and change a term's self-check list"),
}
PERMISSIONS.update(_PROGRESS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.SCHOOL_ADMIN] |= set(_PROGRESS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.WORKING_GROUP] |= set(_PROGRESS_PERMISSIONS)
for _role in OFFICE_ROLES:
    DEFAULT_ROLE_PERMISSIONS[_role] |= {"progress.view", "progress.tick"}
for _role in (Role.REGISTRY, Role.CURRICULUM):
    DEFAULT_ROLE_PERMISSIONS[_role] |= {"progress.manage"}

# --- announcements and help requests (licheng.announcements) ---
_ANNOUNCEMENTS_PERMISSIONS: dict[str, StrOrPromise] = {
    "announcements.post": _("Post announcements to roles, grades or classes"),
    "announcements.parent_notice": _("Send parents the mid-term progress notice"),
    "announcements.answer_help": _("See and answer everyone's help requests"),
}
PERMISSIONS.update(_ANNOUNCEMENTS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.SCHOOL_ADMIN] |= set(_ANNOUNCEMENTS_PERMISSIONS)
for _office in (*OFFICE_ROLES, Role.WORKING_GROUP):
    DEFAULT_ROLE_PERMISSIONS[_office] |= {"announcements.post"}
DEFAULT_ROLE_PERMISSIONS[Role.GUIDANCE] |= {"announcements.parent_notice"}
DEFAULT_ROLE_PERMISSIONS[Role.LIBRARY_IT] |= {"announcements.answer_help"}
DEFAULT_ROLE_PERMISSIONS[Role.REGISTRY] |= {"announcements.answer_help"}

# --- the working group (licheng.workinggroup) ---
_WORKINGGROUP_PERMISSIONS: dict[str, StrOrPromise] = {
    "workinggroup.view": _("See the working group's members, meetings, trainings and evaluations"),
    "workinggroup.manage": _("Record the working group's members, meetings, trainings and evaluations"),
}
PERMISSIONS.update(_WORKINGGROUP_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.SCHOOL_ADMIN] |= set(_WORKINGGROUP_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.WORKING_GROUP] |= set(_WORKINGGROUP_PERMISSIONS)
for _office in OFFICE_ROLES:
    DEFAULT_ROLE_PERMISSIONS[_office] |= {"workinggroup.view"}

# --- readiness, rosters and submissions (licheng.submissions) ---
_SUBMISSIONS_PERMISSIONS: dict[str, StrOrPromise] = {
    "submissions.view": _("See the readiness report, the rosters and the submission history"),
    "submissions.submit": _("Build a submission to the central database"),
}
PERMISSIONS.update(_SUBMISSIONS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.SCHOOL_ADMIN] |= set(_SUBMISSIONS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.REGISTRY] |= set(_SUBMISSIONS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.CONTINUING_EDUCATION] |= {"submissions.view"}
DEFAULT_ROLE_PERMISSIONS[Role.WORKING_GROUP] |= {"submissions.view"}

# --- receipts, confirmations and disputes (licheng.receipts) ---
_RECEIPTS_PERMISSIONS: dict[str, StrOrPromise] = {
    "receipts.view": _("See the receipt confirmations and disputes of every class"),
    "receipts.manage": _("Import receipts and answer students' disputes"),
}
PERMISSIONS.update(_RECEIPTS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.SCHOOL_ADMIN] |= set(_RECEIPTS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.REGISTRY] |= set(_RECEIPTS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.WORKING_GROUP] |= {"receipts.view"}

# --- status changes, transfers, sealing and retention (licheng.lifecycle) ---
_LIFECYCLE_PERMISSIONS: dict[str, StrOrPromise] = {
    "lifecycle.manage_status": _(
        "Record status changes (transfer, repeat, suspension, visiting study, leaving, graduation) "
        "and make and import transfer packages"
    ),
    "lifecycle.view_retention": _("See sealed students, their deletion dates and legal holds"),
    "lifecycle.manage_holds": _("Place and release legal holds on a student's data"),
}

PERMISSIONS.update(_LIFECYCLE_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.SCHOOL_ADMIN] |= set(_LIFECYCLE_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.REGISTRY] |= {"lifecycle.manage_status", "lifecycle.view_retention"}
DEFAULT_ROLE_PERMISSIONS[Role.CONTINUING_EDUCATION] |= {"lifecycle.manage_status", "lifecycle.view_retention"}

# --- backups and integrity (licheng.backups); backups are deployment-wide, school admins see their state ---
_BACKUPS_PERMISSIONS: dict[str, StrOrPromise] = {
    "backups.view": _("See when the platform was last backed up and whether stored files are intact"),
}
PERMISSIONS.update(_BACKUPS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.SCHOOL_ADMIN] |= set(_BACKUPS_PERMISSIONS)

# --- reminders and notification settings (licheng.notifications) ---
_NOTIFICATIONS_PERMISSIONS: dict[str, StrOrPromise] = {
    "notifications.manage_reminders": _("Change how many days ahead deadline reminders are sent"),
}
PERMISSIONS.update(_NOTIFICATIONS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.SCHOOL_ADMIN] |= set(_NOTIFICATIONS_PERMISSIONS)
DEFAULT_ROLE_PERMISSIONS[Role.WORKING_GROUP] |= set(_NOTIFICATIONS_PERMISSIONS)
