"""Reading and checking bulk-account spreadsheets (XLSX or CSV).

The upload is judged by its content, never by its name: an XLSX must be a real zip holding
``[Content_Types].xml`` and a worksheet, small enough once uncompressed (zip bombs are refused
before openpyxl reads a byte); a CSV must decode as UTF-8 (with or without BOM) or Big5/cp950, the
encoding Excel in Taiwan often saves. Every row is then checked against the file itself and the
database, and every problem is reported with its row and column. Nothing here writes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import re
import secrets
from collections import Counter, defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from licheng.core import spreadsheets
from licheng.core.errors import ServiceError
from licheng.people import crypto
from licheng.people.models import Sex, Student, User
from licheng.people.national_id import NationalIdError
from licheng.people.national_id import validate as validate_national_id
from licheng.people.roles import STAFF_ROLES, Role
from licheng.schools import rocdate
from licheng.schools.models import AcademicYear, School, SchoolClass

MAX_UPLOAD_BYTES = 5_000_000
MAX_ROWS = 5_000
FORMULA_PREFIXES = spreadsheets.FORMULA_PREFIXES
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 - no look-alikes
PASSWORD_LENGTH = 10


@dataclasses.dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Chinese header written in templates
    label: Any  # shown to the user in their language
    required: bool = True
    aliases: tuple[str, ...] = ()
    secret: bool = False  # kept encrypted in the stored preview and shown masked


STUDENT_COLUMNS = (
    Column("student_number", "學號", gettext_lazy("Student number"), aliases=("student number", "student no")),
    Column("name", "姓名", pgettext_lazy("person", "Name"), aliases=("name",)),
    Column(
        "national_id",
        "身分證號",
        gettext_lazy("National ID"),
        aliases=("national id", "id number", "身分證字號", "身分證統一編號"),
        secret=True,
    ),
    Column("birth_date", "出生日期", gettext_lazy("Birth date"), aliases=("birth date", "birthday", "生日")),
    Column("sex", "性別", gettext_lazy("Sex"), aliases=("sex", "gender")),
    Column("class_name", "班級", gettext_lazy("Class"), aliases=("class", "class name")),
    Column("seat", "座號", gettext_lazy("Seat"), aliases=("seat", "seat number")),
    Column("entry_year", "入學年度", gettext_lazy("Entry year"), required=False, aliases=("entry year",)),
    Column("email", "電子郵件", gettext_lazy("E-mail"), required=False, aliases=("email", "e-mail", "信箱")),
)
STAFF_COLUMNS = (
    Column("username", "帳號", gettext_lazy("Username"), aliases=("username", "account")),
    Column("name", "姓名", pgettext_lazy("person", "Name"), aliases=("name",)),
    Column("email", "電子郵件", gettext_lazy("E-mail"), required=False, aliases=("email", "e-mail", "信箱")),
    Column("title", "職稱", gettext_lazy("Title"), required=False, aliases=("title", "job title")),
    Column("roles", "角色", gettext_lazy("Roles"), aliases=("roles", "role", "處室")),
)
PARENT_COLUMNS = (
    Column("username", "帳號", gettext_lazy("Username"), aliases=("username", "account")),
    Column("name", "姓名", pgettext_lazy("person", "Name"), aliases=("name",)),
    Column("email", "電子郵件", gettext_lazy("E-mail"), required=False, aliases=("email", "e-mail", "信箱")),
    Column("student_number", "學生學號", gettext_lazy("Student number"), aliases=("student number", "學號")),
    Column("relation", "關係", gettext_lazy("Relation"), required=False, aliases=("relation", "稱謂")),
)
COLUMNS = {"students": STUDENT_COLUMNS, "staff": STAFF_COLUMNS, "parents": PARENT_COLUMNS}

# Names a school uses for each staff role, besides the role's code and its labels.
ROLE_ALIASES: dict[str, str] = {
    "學校管理員": Role.SCHOOL_ADMIN,
    "系統管理員": Role.SCHOOL_ADMIN,
    "工作小組": Role.WORKING_GROUP,
    "註冊組": Role.REGISTRY,
    "教學組": Role.CURRICULUM,
    "實研組": Role.RESEARCH,
    "研究組": Role.RESEARCH,
    "訓育組": Role.ACTIVITIES,
    "生輔組": Role.DISCIPLINE,
    "輔導室": Role.GUIDANCE,
    "實習處": Role.INTERNSHIP,
    "進修部": Role.CONTINUING_EDUCATION,
    "圖資組": Role.LIBRARY_IT,
    "任課教師": Role.SUBJECT_TEACHER,
    "教師": Role.SUBJECT_TEACHER,
    "導師": Role.HOMEROOM_TEACHER,
    "課程諮詢教師": Role.COURSE_COUNSELLOR,
}
ROLE_SEPARATORS = re.compile(r"[,，、;；/\n]+")
SEX_VALUES = {"男": Sex.MALE, "1": Sex.MALE, "m": Sex.MALE, "女": Sex.FEMALE, "2": Sex.FEMALE, "f": Sex.FEMALE}


def _key(text: str) -> str:
    return re.sub(r"[\s_\-()（）*]+", "", str(text)).lower()


def role_lookup() -> dict[str, str]:
    """Every accepted spelling of a staff role → its code."""
    names: dict[str, str] = {_key(alias): code for alias, code in ROLE_ALIASES.items()}
    for role in STAFF_ROLES:
        names[_key(role.value)] = role.value
        names[_key(str(role.label))] = role.value
        with translation.override("zh-hant"):
            names[_key(str(role.label))] = role.value
        with translation.override("en"):
            names[_key(str(role.label))] = role.value
    return names


# ---------------------------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------------------------


def read_table(content: bytes, file_name: str) -> list[list[str]]:
    """The file's first sheet as rows of text (the shared reader in ``licheng.core.spreadsheets``,
    with the smaller upload limit of account lists). Raises ``ServiceError`` for anything unreadable."""
    spreadsheets.check_size(content, MAX_UPLOAD_BYTES)
    return spreadsheets.read_table(content, file_name, max_rows=MAX_ROWS)


def map_headers(kind: str, header_row: list[str]) -> list[str | None]:
    """Which field each column holds. Raises ``ServiceError`` naming unknown and missing columns."""
    columns = COLUMNS[kind]
    known = {}
    for column in columns:
        for spelling in (column.header, column.field, *column.aliases):
            known[_key(spelling)] = column.field
    fields: list[str | None] = []
    unknown = []
    for header in header_row:
        if not header:
            fields.append(None)
            continue
        field = known.get(_key(header))
        if field is None:
            unknown.append(header)
        fields.append(field)
    expected = "、".join(c.header for c in columns)
    if unknown:
        raise ServiceError(
            _("Unknown column(s): %(columns)s. The columns are: %(expected)s.")
            % {"columns": "、".join(unknown), "expected": expected},
            field="file",
        )
    duplicated = [f for f, n in Counter(f for f in fields if f).items() if n > 1]
    if duplicated:
        headers = "、".join(c.header for c in columns if c.field in duplicated)
        raise ServiceError(_("Column(s) %(columns)s appear more than once.") % {"columns": headers}, field="file")
    missing = [c.header for c in columns if c.required and c.field not in fields]
    if missing:
        raise ServiceError(
            _("Missing column(s): %(columns)s. The columns are: %(expected)s.")
            % {"columns": "、".join(missing), "expected": expected},
            field="file",
        )
    return fields


def parse_rows(kind: str, content: bytes, file_name: str) -> list[dict[str, Any]]:
    """``[{"line": 2, "values": {field: text}}, …]``; blank lines are skipped."""
    table = read_table(content, file_name)
    while table and not any(table[0]):
        table.pop(0)
    if not table:
        raise ServiceError(_("The file is empty."), field="file")
    fields = map_headers(kind, table[0])
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        values = {c.field: "" for c in COLUMNS[kind]}
        for field, cell in zip(fields, cells, strict=False):
            if field:
                values[field] = cell
        rows.append({"line": number, "values": values})
    if not rows:
        raise ServiceError(_("The file has column headers but no rows."), field="file")
    if len(rows) > MAX_ROWS:
        raise ServiceError(
            _("The file has more than %(limit)s rows; split it into smaller files.") % {"limit": MAX_ROWS},
            field="file",
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Stored preview: secret columns are encrypted, and shown masked
# ---------------------------------------------------------------------------------------------


def seal_rows(kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sealed = []
    for row in rows:
        values = dict(row["values"])
        secrets_: dict[str, str] = {}
        for column in COLUMNS[kind]:
            if column.secret and values.get(column.field):
                secrets_[column.field] = crypto.encrypt(values[column.field])
                values[column.field] = crypto.mask(values[column.field].strip().upper())
        sealed.append({"line": row["line"], "values": values, "sealed": secrets_})
    return sealed


def unseal_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    opened = []
    for row in rows:
        values = dict(row["values"])
        for field, cipher in row.get("sealed", {}).items():
            values[field] = crypto.decrypt(cipher)
        opened.append({"line": row["line"], "values": values})
    return opened


# ---------------------------------------------------------------------------------------------
# Checking rows
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Checked:
    """The outcome of checking a file: errors (``line``, ``column``, ``message``) and, per line, the
    clean values the apply step writes."""

    errors: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    clean: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)

    def add(self, line: int, column: str, message: str) -> None:
        self.errors.append({"line": line, "column": column, "message": message})

    @property
    def ok(self) -> bool:
        return not self.errors


def student_username(school: School, student_number: str) -> str:
    """Students log in with their school code and student number: ``111111-1140001``. Student
    numbers repeat between schools; the prefix keeps usernames unique on a shared deployment."""
    return f"{school.code}-{student_number}"


def _first_pass(kind: str, rows: list[dict[str, Any]], result: Checked) -> None:
    """Errors any cell can have on its own: formula-looking text and missing required values."""
    for row in rows:
        for column in COLUMNS[kind]:
            value = row["values"].get(column.field, "")
            if value.startswith(FORMULA_PREFIXES) and not (column.field == "seat" and value.lstrip("-").isdigit()):
                result.add(
                    row["line"],
                    column.field,
                    _("Starts with “%(char)s”, which spreadsheets treat as a formula; remove it.") % {"char": value[0]},
                )
            elif column.required and not value:
                result.add(row["line"], column.field, _("%(column)s is required.") % {"column": column.header})


def _duplicates(rows: list[dict[str, Any]], key: Any, result: Checked, column: str, message: str) -> None:
    """Flag every row whose ``key(values)`` repeats within the file, naming the other lines."""
    lines: dict[Any, list[int]] = defaultdict(list)
    for row in rows:
        value = key(row["values"])
        if value:
            lines[value].append(row["line"])
    for found in lines.values():
        if len(found) > 1:
            for line in found:
                others = "、".join(str(n) for n in found if n != line)
                result.add(line, column, message % {"lines": others})


def _check_email(row: dict[str, Any], result: Checked) -> str:
    email = row["values"].get("email", "")
    if email and not email.startswith(FORMULA_PREFIXES):
        try:
            validate_email(email)
        except ValidationError:
            result.add(row["line"], "email", _("“%(value)s” is not an e-mail address.") % {"value": email})
    return email


def _check_username(row: dict[str, Any], username: str, taken: set[str], result: Checked) -> None:
    if not username or username.startswith(FORMULA_PREFIXES):
        return
    try:
        User.username_validator(username)
        if len(username) > 150:
            raise ValidationError("too long")
    except ValidationError:
        result.add(
            row["line"],
            "username",
            _("“%(value)s” cannot be a username: use letters, digits and . @ + - _ only.") % {"value": username},
        )
        return
    if username in taken:
        result.add(row["line"], "username", _("Username “%(value)s” is already in use.") % {"value": username})


def check_students(school: School, academic_year: AcademicYear | None, rows: list[dict[str, Any]]) -> Checked:
    result = Checked()
    _first_pass("students", rows, result)
    if academic_year is None:
        for row in rows:
            result.add(row["line"], "class_name", _("The school has no academic year yet; ask the school admin."))
        return result
    classes = {c.name: c for c in SchoolClass.objects.filter(school=school, academic_year=academic_year)}
    numbers = [r["values"]["student_number"] for r in rows]
    taken_numbers = set(
        Student.objects.filter(school=school, student_number__in=numbers).values_list("student_number", flat=True)
    )
    digests = {}
    for row in rows:
        with contextlib.suppress(NationalIdError):
            digests[row["line"]] = crypto.digest(validate_national_id(row["values"]["national_id"]))
    taken_digests = set(
        Student.objects.filter(school=school, national_id_digest__in=digests.values()).values_list(
            "national_id_digest", flat=True
        )
    )
    taken_usernames = set(
        User.objects.filter(username__in=[student_username(school, n) for n in numbers]).values_list(
            "username", flat=True
        )
    )
    taken_seats = set(
        Student.objects.filter(school=school, school_class__in=classes.values(), seat__isnull=False).values_list(
            "school_class_id", "seat"
        )
    )
    flagged = {(e["line"], e["column"]) for e in result.errors}
    for row in rows:
        line, values = row["line"], row["values"]
        clean: dict[str, Any] = {}

        def bad(field: str, message: str, line: int = line) -> None:
            result.add(line, field, message)

        number = values["student_number"]
        if number and (line, "student_number") not in flagged:
            if not re.fullmatch(r"[0-9A-Za-z]{1,20}", number):
                bad(
                    "student_number",
                    _("“%(value)s” is not a student number: letters and digits only.") % {"value": number},
                )
            elif number in taken_numbers:
                bad("student_number", _("Student number %(value)s already exists in this school.") % {"value": number})
            elif student_username(school, number) in taken_usernames:
                bad(
                    "student_number",
                    _("Username “%(value)s” is already in use.") % {"value": student_username(school, number)},
                )
            clean["student_number"] = number
        clean["name"] = values["name"][:60]
        if values["national_id"] and (line, "national_id") not in flagged:
            try:
                clean["national_id"] = validate_national_id(values["national_id"])
                if digests[line] in taken_digests:
                    bad("national_id", _("A student with this national ID already exists in this school."))
            except NationalIdError as error:
                bad("national_id", str(error))
        if values["birth_date"] and (line, "birth_date") not in flagged:
            try:
                birth = rocdate.parse_roc(values["birth_date"])
                clean["birth_date"] = birth
                if not datetime.date(1912, 1, 1) <= birth <= datetime.date.today():
                    bad("birth_date", _("Birth date %(value)s is not possible.") % {"value": values["birth_date"]})
            except rocdate.RocDateError as error:
                bad("birth_date", str(error))
        if values["sex"] and (line, "sex") not in flagged:
            sex = SEX_VALUES.get(values["sex"].strip().lower())
            if sex is None:
                bad("sex", _("Write 男 or 女 (or 1 or 2), not “%(value)s”.") % {"value": values["sex"]})
            clean["sex"] = sex
        school_class = None
        if values["class_name"] and (line, "class_name") not in flagged:
            school_class = classes.get(values["class_name"])
            if school_class is None:
                bad(
                    "class_name",
                    _("This school has no class “%(value)s” in academic year %(year)s.")
                    % {"value": values["class_name"], "year": academic_year.year},
                )
            clean["school_class"] = school_class
        if values["seat"] and (line, "seat") not in flagged:
            seat = values["seat"]
            if not seat.isdigit() or not 1 <= int(seat) <= 99:
                bad("seat", _("A seat is a number from 1 to 99, not “%(value)s”.") % {"value": seat})
            else:
                clean["seat"] = int(seat)
                if school_class is not None and (school_class.pk, int(seat)) in taken_seats:
                    bad(
                        "seat",
                        _("Seat %(seat)s in class %(class)s is already taken.")
                        % {"seat": seat, "class": school_class.name},
                    )
        entry = values.get("entry_year", "")
        if entry and (line, "entry_year") not in flagged:
            if not entry.isdigit() or not 50 <= int(entry) <= 200:
                bad(
                    "entry_year",
                    _("Write the entry year as an ROC year such as 114, not “%(value)s”.") % {"value": entry},
                )
            else:
                clean["entry_year"] = int(entry)
        else:
            clean["entry_year"] = academic_year.year
        clean["email"] = _check_email(row, result)
        result.clean[line] = clean
    _duplicates(
        rows, lambda v: v["student_number"], result, "student_number", _("Same student number as line %(lines)s.")
    )
    _duplicates(
        rows,
        lambda v: v["national_id"].strip().upper(),
        result,
        "national_id",
        _("Same national ID as line %(lines)s."),
    )
    _duplicates(
        rows,
        lambda v: (v["class_name"], v["seat"]) if v["class_name"] and v["seat"] else None,
        result,
        "seat",
        _("Same class and seat as line %(lines)s."),
    )
    return result


def _check_roles(row: dict[str, Any], lookup: dict[str, str], result: Checked) -> list[str]:
    text = row["values"].get("roles", "")
    if not text or text.startswith(FORMULA_PREFIXES):
        return []
    roles: list[str] = []
    for part in ROLE_SEPARATORS.split(text):
        if not part.strip():
            continue
        code = lookup.get(_key(part))
        if code is None:
            result.add(row["line"], "roles", _("Unknown role “%(value)s”.") % {"value": part.strip()})
        elif code not in roles:
            roles.append(code)
    return roles


def check_staff(school: School, rows: list[dict[str, Any]]) -> Checked:
    result = Checked()
    _first_pass("staff", rows, result)
    usernames = [r["values"]["username"] for r in rows]
    taken = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    lookup = role_lookup()
    for row in rows:
        values = row["values"]
        _check_username(row, values["username"], taken, result)
        result.clean[row["line"]] = {
            "username": values["username"],
            "name": values["name"][:60],
            "email": _check_email(row, result),
            "title": values.get("title", "")[:60],
            "roles": _check_roles(row, lookup, result),
        }
    _duplicates(rows, lambda v: v["username"], result, "username", _("Same username as line %(lines)s."))
    return result


def check_parents(school: School, rows: list[dict[str, Any]]) -> Checked:
    """A parent of several children has one row per child with the same username and name."""
    result = Checked()
    _first_pass("parents", rows, result)
    usernames = [r["values"]["username"] for r in rows]
    taken = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    students = {
        s.student_number: s
        for s in Student.objects.filter(school=school, student_number__in=[r["values"]["student_number"] for r in rows])
    }
    names: dict[str, str] = {}
    for row in rows:
        values = row["values"]
        _check_username(row, values["username"], taken, result)
        number = values["student_number"]
        student = students.get(number)
        if number and not number.startswith(FORMULA_PREFIXES) and student is None:
            result.add(
                row["line"], "student_number", _("No student with number %(value)s in this school.") % {"value": number}
            )
        first_name = names.setdefault(values["username"], values["name"])
        if values["username"] and values["name"] and first_name != values["name"]:
            result.add(
                row["line"],
                "name",
                _("Username “%(username)s” appears with another name (%(name)s) on another line.")
                % {"username": values["username"], "name": first_name},
            )
        result.clean[row["line"]] = {
            "username": values["username"],
            "name": values["name"][:60],
            "email": _check_email(row, result),
            "student_id": student.pk if student else None,
            "relation": values.get("relation", "")[:20],
        }
    _duplicates(
        rows,
        lambda v: (v["username"], v["student_number"]) if v["username"] and v["student_number"] else None,
        result,
        "student_number",
        _("Same parent and student as line %(lines)s."),
    )
    return result


def check(kind: str, school: School, academic_year: AcademicYear | None, rows: list[dict[str, Any]]) -> Checked:
    if kind == "students":
        result = check_students(school, academic_year, rows)
    elif kind == "staff":
        result = check_staff(school, rows)
    else:
        result = check_parents(school, rows)
    result.errors.sort(key=lambda e: (e["line"], [c.field for c in COLUMNS[kind]].index(e["column"])))
    return result


def initial_password() -> str:
    """Ten characters without look-alikes (no 0/O, 1/l/I), with at least one letter and one digit."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


# ---------------------------------------------------------------------------------------------
# Writing workbooks (templates and the initial-password list)
# ---------------------------------------------------------------------------------------------


def template_bytes(kind: str) -> bytes:
    return spreadsheets.workbook_bytes(kind, [c.header for c in COLUMNS[kind]], [])
