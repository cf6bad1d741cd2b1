"""State changes for accounts: log-in bookkeeping, passwords, and bulk account imports.

Every function takes keyword-only arguments with ``actor`` first, runs in one transaction and
writes an audit entry. A refusal the user can fix raises ``ServiceError`` and changes nothing.
"""

from __future__ import annotations

import datetime
import json
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from licheng.accounts import imports, throttle
from licheng.accounts.models import AccountImport
from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.core.permissions import forget_cached_permissions, has_permission
from licheng.people import crypto
from licheng.people.models import ParentLink, RoleGrant, StaffMember, Student, User
from licheng.people.roles import Role
from licheng.schools import rocdate
from licheng.schools.models import AcademicYear, School

IMPORT_PERMISSION = "people.import_accounts"

# ---------------------------------------------------------------------------------------------
# Log-in (password today, single sign-on later: both end in ``login_refusal`` + ``login_succeeded``)
# ---------------------------------------------------------------------------------------------


def login_refusal(user: User) -> str | None:
    """Why this user may not log in at all, in the user's language, or ``None``."""
    if not user.is_active:
        return _("This account is closed. Please ask your school's registry section.")
    if user.school is not None and not user.school.is_active:
        return _("Your school no longer uses this platform. Please ask your school.")
    return None


@transaction.atomic
def login_succeeded(*, actor: Actor, user: User) -> None:
    """Forget the account's failed attempts and record the log-in."""
    throttle.clear_failures(user.get_username())
    record(actor=actor, school=user.school, action="account.login", obj=user)


@transaction.atomic
def login_failed(*, actor: Actor, username: str) -> datetime.datetime | None:
    """Count one failed attempt. If it locks the account or the address, record the lock-out and
    return when it lifts."""
    throttle.note_failure(username, actor.ip_address)
    until = throttle.locked_until(username, actor.ip_address)
    if until is not None:
        user = User.objects.select_related("school").filter(username=username).first()
        if user is not None:
            record(
                actor=actor,
                school=user.school,
                action="account.lockout",
                obj=user,
                changes={"until": until.isoformat()},
            )
        else:
            from licheng.accounts.models import LoginFailure

            failure = LoginFailure.objects.filter(ip_address=actor.ip_address).order_by("-at").first()
            if failure is not None:
                record(
                    actor=actor,
                    school=None,
                    action="account.lockout",
                    obj=failure,
                    changes={"username": throttle.normalise_username(username), "until": until.isoformat()},
                )
    return until


@transaction.atomic
def password_reset_request(*, actor: Actor, email: str, users: list[User]) -> bool:
    """Count one password-reset request for ``email`` (whose accounts are ``users``, possibly none).
    Returns whether its mail may be sent: not when the address, one of the accounts or the client
    address asked too often within the hour. The page answers the same either way; a refusal is
    recorded on the trail of each account (or the deployment's, for an unknown address)."""
    keys = throttle.reset_keys(email, [user.pk for user in users], actor.ip_address)
    allowed = throttle.reset_allowed(keys)
    throttle.note_reset(keys)
    if not allowed:
        from licheng.accounts.models import ResetRequest

        targets: list[tuple[School | None, Any]] = [(user.school, user) for user in users]
        if not targets:
            targets = [(None, ResetRequest.objects.filter(key=keys[0][0]).order_by("-at").first())]
        for school, obj in targets:
            record(actor=actor, school=school, action="account.reset_throttled", obj=obj)
    return allowed


@transaction.atomic
def password_change(*, actor: Actor, user: User, new_password: str, reset: bool = False) -> None:
    """Set a password the user chose (change page or e-mailed reset link); the initial-password
    requirement is then met."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    action = "account.password_reset" if reset else "account.password_change"
    record(actor=actor, school=user.school, action=action, obj=user)


# ---------------------------------------------------------------------------------------------
# Bulk account imports
# ---------------------------------------------------------------------------------------------


def current_academic_year(school: School) -> AcademicYear | None:
    """The academic year of today if the school has opened it, else its latest year before today,
    else its earliest one."""
    today = rocdate.academic_year_of(timezone.localdate())
    years = list(AcademicYear.objects.filter(school=school).order_by("year"))
    exact = [y for y in years if y.year == today]
    earlier = [y for y in years if y.year < today]
    if exact:
        return exact[0]
    if earlier:
        return earlier[-1]
    return years[0] if years else None


def _require_import_permission(actor: Actor, school: School) -> None:
    if actor.user is None or not has_permission(actor.user, school, IMPORT_PERMISSION):
        raise PermissionError("importing accounts needs people.import_accounts")


@transaction.atomic
def account_import_check(
    *,
    actor: Actor,
    school: School,
    kind: str,
    file_name: str,
    content: bytes,
    academic_year: AcademicYear | None = None,
) -> AccountImport:
    """Read and check an uploaded file and keep it as a preview. A file that cannot be read at all
    raises ``ServiceError``; problems in rows are kept on the preview, row by row."""
    _require_import_permission(actor, school)
    if kind not in AccountImport.Kind.values:
        raise ServiceError(_("Choose what kind of accounts the file holds."), field="kind")
    if academic_year is not None and academic_year.school_id != school.pk:
        raise ServiceError(_("Choose one of this school's academic years."), field="academic_year")
    academic_year = academic_year or current_academic_year(school) if kind == AccountImport.Kind.STUDENTS else None
    rows = imports.parse_rows(kind, content, file_name)
    result = imports.check(kind, school, academic_year, rows)
    assert actor.user is not None
    account_import = AccountImport.objects.create(
        school=school,
        kind=kind,
        file_name=file_name[:255],
        created_by=actor.user,
        academic_year=academic_year,
        rows=imports.seal_rows(kind, rows),
        errors=result.errors,
    )
    record(
        actor=actor,
        school=school,
        action="account_import.check",
        obj=account_import,
        changes={"kind": kind, "file": file_name, "rows": len(rows), "errors": len(result.errors)},
    )
    return account_import


@transaction.atomic
def account_import_recheck(*, actor: Actor, account_import: AccountImport) -> AccountImport:
    """Check a preview again against the database as it is now, and keep the new errors."""
    _require_import_permission(actor, account_import.school)
    if account_import.status != AccountImport.Status.CHECKED:
        return account_import
    rows = imports.unseal_rows(account_import.rows)
    result = imports.check(account_import.kind, account_import.school, account_import.academic_year, rows)
    account_import.errors = result.errors
    account_import.save(update_fields=["errors"])
    return account_import


def _create_users(school: School, people: list[dict[str, Any]], passwords: dict[str, str]) -> dict[str, User]:
    users = []
    for person in people:
        user = User(
            username=person["username"],
            name=person["name"],
            email=person.get("email", ""),
            school=school,
            must_change_password=True,
        )
        user.set_unusable_password()
        passwords[user.username] = imports.initial_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=500)
    return {u.username: u for u in User.objects.filter(username__in=[u.username for u in users], school=school)}


def _grant(school: School, users: list[User], role: str) -> list[RoleGrant]:
    return [RoleGrant(school=school, user=user, role=role) for user in users]


def _apply_students(account_import: AccountImport, checked: imports.Checked, passwords: dict[str, str]) -> list[User]:
    school = account_import.school
    ordered = [checked.clean[row["line"]] for row in account_import.rows]
    for clean in ordered:
        clean["username"] = imports.student_username(school, clean["student_number"])
    users = _create_users(school, ordered, passwords)
    students = []
    for clean in ordered:
        student = Student(
            school=school,
            user=users[clean["username"]],
            student_number=clean["student_number"],
            name=clean["name"],
            birth_date=clean["birth_date"],
            sex=clean["sex"],
            division_id=clean["school_class"].division_id,
            school_class=clean["school_class"],
            seat=clean["seat"],
            entry_year=clean["entry_year"],
        )
        student.set_national_id(clean["national_id"])
        students.append(student)
    Student.objects.bulk_create(students, batch_size=500)
    RoleGrant.objects.bulk_create(_grant(school, list(users.values()), Role.STUDENT), batch_size=500)
    return list(users.values())


def _apply_staff(account_import: AccountImport, checked: imports.Checked, passwords: dict[str, str]) -> list[User]:
    school = account_import.school
    ordered = [checked.clean[row["line"]] for row in account_import.rows]
    users = _create_users(school, ordered, passwords)
    StaffMember.objects.bulk_create(
        [StaffMember(school=school, user=users[c["username"]], name=c["name"], title=c["title"]) for c in ordered]
    )
    RoleGrant.objects.bulk_create(
        [RoleGrant(school=school, user=users[c["username"]], role=role) for c in ordered for role in c["roles"]]
    )
    return list(users.values())


def _apply_parents(account_import: AccountImport, checked: imports.Checked, passwords: dict[str, str]) -> list[User]:
    school = account_import.school
    ordered = [checked.clean[row["line"]] for row in account_import.rows]
    people = list({c["username"]: c for c in ordered}.values())  # one account per parent
    users = _create_users(school, people, passwords)
    ParentLink.objects.bulk_create(
        [
            ParentLink(school=school, parent=users[c["username"]], student_id=c["student_id"], relation=c["relation"])
            for c in ordered
        ]
    )
    RoleGrant.objects.bulk_create(_grant(school, list(users.values()), Role.PARENT))
    return list(users.values())


@transaction.atomic
def account_import_apply(*, actor: Actor, account_import: AccountImport) -> AccountImport:
    """Create every account of a checked file, or none. The rows are checked again first: the
    school may have changed since the preview. Initial passwords are kept encrypted on the import
    (to print the list again) and hashed by a background task once this transaction commits."""
    _require_import_permission(actor, account_import.school)
    account_import = AccountImport.objects.select_for_update().get(pk=account_import.pk)
    if account_import.status != AccountImport.Status.CHECKED:
        raise ServiceError(_("This file has already been imported."))
    rows = imports.unseal_rows(account_import.rows)
    checked = imports.check(account_import.kind, account_import.school, account_import.academic_year, rows)
    if not checked.ok:
        raise ServiceError(
            _("%(count)s problem(s) were found in the file; nothing was imported. Fix the file and upload it again.")
            % {"count": len(checked.errors)}
        )
    passwords: dict[str, str] = {}
    apply = {"students": _apply_students, "staff": _apply_staff, "parents": _apply_parents}[account_import.kind]
    try:
        with transaction.atomic():
            users = apply(account_import, checked, passwords)
    except IntegrityError:
        raise ServiceError(
            _("Someone else created some of these accounts at the same time; nothing was imported. Check again.")
        ) from None
    for row in account_import.rows:  # national IDs are in the students' records now, not here
        row.pop("sealed", None)
        if "national_id" in row["values"]:
            row["values"]["national_id"] = ""
    account_import.status = AccountImport.Status.APPLIED
    account_import.applied_at = timezone.now()
    account_import.passwords_cipher = crypto.encrypt(json.dumps(passwords))
    account_import.save(update_fields=["status", "applied_at", "passwords_cipher", "rows"])
    for user in users:
        forget_cached_permissions(user)
    record(
        actor=actor,
        school=account_import.school,
        action="account_import.apply",
        obj=account_import,
        changes={
            "kind": account_import.kind,
            "file": account_import.file_name,
            "created": len(users),
            "usernames": sorted(u.username for u in users),
        },
    )
    from licheng.accounts.tasks import set_initial_passwords

    transaction.on_commit(partial(set_initial_passwords.enqueue, import_id=account_import.pk))
    return account_import


def account_import_passwords(account_import: AccountImport) -> dict[str, str]:
    if not account_import.passwords_cipher:
        return {}
    return dict(json.loads(crypto.decrypt(account_import.passwords_cipher)))


@transaction.atomic
def account_import_passwords_reveal(*, actor: Actor, account_import: AccountImport, how: str) -> dict[str, str]:
    """The initial passwords, for printing or download; every look is on the audit trail."""
    _require_import_permission(actor, account_import.school)
    record(actor=actor, school=account_import.school, action=f"account_import.passwords_{how}", obj=account_import)
    return account_import_passwords(account_import)


class InitialPasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum parameters (19 MiB, 2 passes, 1 lane), for machine-generated
    initial passwords only. Those carry ~58 bits of randomness, so the cheaper hash is still far out
    of brute-force reach, and it is replaced at first log-in: Django's ``check_password`` sees the
    parameters differ from the configured hasher's and re-hashes with the full ones. The result is a
    normal ``argon2$…`` hash that the configured ``Argon2PasswordHasher`` verifies. Full parameters
    cost a third of a second or more per password, which made 1,000 accounts take many minutes."""

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1


def initial_password_hash(password: str) -> str:
    if get_hasher("default").algorithm == InitialPasswordHasher.algorithm:
        return make_password(password, hasher=InitialPasswordHasher())
    return make_password(password)


def _hash_workers() -> int:
    return int(getattr(settings, "LICHENG_HASH_THREADS", 2))


def account_import_set_passwords(*, import_id: int) -> int:
    """Background half of ``account_import_apply``: hash the initial passwords (see
    ``InitialPasswordHasher``; a few threads, argon2 releases the GIL) and mark the import done.
    Accounts that already have a usable password (reset meanwhile) keep it."""
    with scopes_disabled():
        account_import = AccountImport.objects.filter(pk=import_id).first()
        if account_import is None or account_import.status != AccountImport.Status.APPLIED:
            return 0
        passwords = account_import_passwords(account_import)
        users = [
            u
            for u in User.objects.filter(school_id=account_import.school_id, username__in=list(passwords))
            if not u.has_usable_password()
        ]
        with ThreadPoolExecutor(max_workers=max(1, _hash_workers())) as pool:
            hashes = list(pool.map(initial_password_hash, [passwords[u.username] for u in users]))
        for user, hashed in zip(users, hashes, strict=True):
            user.password = hashed
        with transaction.atomic():
            User.objects.bulk_update(users, ["password"], batch_size=500)
            AccountImport.objects.filter(pk=import_id).update(passwords_set_at=timezone.now())
        return len(users)
