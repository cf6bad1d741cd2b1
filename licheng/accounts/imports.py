"""Reading and checking bulk-account spreadsheets (XLSX or CSV).

The upload is judged by its content, never by its name: an XLSX must be a real zip holding
``[Content_Types].xml`` and a worksheet, small enough once uncompressed (zip bombs are refused
before openpyxl reads a byte); a CSV must decode as UTF-8 (with or without BOM) or Big5/cp950, the
encoding Excel in Taiwan often saves. Every row is then checked against the file itself and the
database, and every problem is reported with its row and column. Nothing here writes.
"""

from __future__ import annotations

import datetime
import functools
import re
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from licheng.core import spreadsheets
from licheng.core.spreadsheets import CellError, Row
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


class Column(spreadsheets.Column):
    """A column of the shared framework; ``field`` is its key (the name the pages use)."""

    @property
    def field(self) -> str:
        return self.key


# ---------------------------------------------------------------------------------------------
# Cell parsers: each cell is checked on its own by ``spreadsheets.parse_cells`` (formula-looking
# text and empty required cells too); the database checks come after, in ``check_*``.
# ---------------------------------------------------------------------------------------------


def _student_number(value: str) -> str:
    if not re.fullmatch(r"[0-9A-Za-z]{1,20}", value):
        raise CellError(_("“%(value)s” is not a student number: letters and digits only.") % {"value": value})
    return value


def _national_id(value: str) -> str:
    try:
        return validate_national_id(value)
    except NationalIdError as error:
        raise CellError(str(error)) from None


def _birth_date(value: str) -> datetime.date:
    try:
        birth = rocdate.parse_roc(value)
    except rocdate.RocDateError as error:
        raise CellError(str(error)) from None
    if not datetime.date(1912, 1, 1) <= birth <= datetime.date.today():
        raise CellError(_("Birth date %(value)s is not possible.") % {"value": value})
    return birth


def _sex(value: str) -> int:
    sex = SEX_VALUES.get(value.strip().lower())
    if sex is None:
        raise CellError(_("Write 男 or 女 (or 1 or 2), not “%(value)s”.") % {"value": value})
    return sex


def _seat(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 99:
        raise CellError(_("A seat is a number from 1 to 99, not “%(value)s”.") % {"value": value})
    return int(value)


def _entry_year(value: str) -> int:
    if not value.isdigit() or not 50 <= int(value) <= 200:
        raise CellError(_("Write the entry year as an ROC year such as 114, not “%(value)s”.") % {"value": value})
    return int(value)


def _email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(_("“%(value)s” is not an e-mail address.") % {"value": value}) from None
    return value


def _username(value: str) -> str:
    try:
        User.username_validator(value)
        if len(value) > 150:
            raise ValidationError("too long")
    except ValidationError:
        raise CellError(
            _("“%(value)s” cannot be a username: use letters, digits and . @ + - _ only.") % {"value": value}
        ) from None
    return value


def _roles(value: str) -> list[str]:
    lookup = role_lookup()
    roles: list[str] = []
    unknown: list[str] = []
    for part in ROLE_SEPARATORS.split(value):
        if not part.strip():
            continue
        code = lookup.get(_key(part))
        if code is None:
            unknown.append(part.strip())
        elif code not in roles:
            roles.append(code)
    if unknown:
        raise CellError(_("Unknown role “%(value)s”.") % {"value": "、".join(unknown)})
    return roles


def _cut(length: int) -> Any:
    return lambda value: value[:length]


def _column(key: str, header: str, label: Any, parse: Any = str, *, required: bool = True, **more: Any) -> Column:
    return Column(key, header, label, parse=parse, required=required, blank=not required, **more)


_EMAIL = ("email", "電子郵件", gettext_lazy("E-mail"))
STUDENT_COLUMNS = (
    _column(
        "student_number",
        "學號",
        gettext_lazy("Student number"),
        _student_number,
        aliases=("student number", "student no"),
    ),
    _column("name", "姓名", pgettext_lazy("person", "Name"), _cut(60), aliases=("name",)),
    _column(
        "national_id",
        "身分證號",
        gettext_lazy("National ID"),
        _national_id,
        aliases=("national id", "id number", "身分證字號", "身分證統一編號"),
        secret=True,
    ),
    _column(
        "birth_date", "出生日期", gettext_lazy("Birth date"), _birth_date, aliases=("birth date", "birthday", "生日")
    ),
    _column("sex", "性別", gettext_lazy("Sex"), _sex, aliases=("sex", "gender")),
    _column("class_name", "班級", gettext_lazy("Class"), aliases=("class", "class name")),
    _column("seat", "座號", gettext_lazy("Seat"), _seat, aliases=("seat", "seat number")),
    _column("entry_year", "入學年度", gettext_lazy("Entry year"), _entry_year, required=False, aliases=("entry year",)),
    _column(*_EMAIL, _email, required=False, aliases=("email", "e-mail", "信箱")),
)
STAFF_COLUMNS = (
    _column("username", "帳號", gettext_lazy("Username"), _username, aliases=("username", "account")),
    _column("name", "姓名", pgettext_lazy("person", "Name"), _cut(60), aliases=("name",)),
    _column(*_EMAIL, _email, required=False, aliases=("email", "e-mail", "信箱")),
    _column("title", "職稱", gettext_lazy("Title"), _cut(60), required=False, aliases=("title", "job title")),
    _column("roles", "角色", gettext_lazy("Roles"), _roles, aliases=("roles", "role", "處室")),
)
PARENT_COLUMNS = (
    _column("username", "帳號", gettext_lazy("Username"), _username, aliases=("username", "account")),
    _column("name", "姓名", pgettext_lazy("person", "Name"), _cut(60), aliases=("name",)),
    _column(*_EMAIL, _email, required=False, aliases=("email", "e-mail", "信箱")),
    _column("student_number", "學生學號", gettext_lazy("Student number"), aliases=("student number", "學號")),
    _column("relation", "關係", gettext_lazy("Relation"), _cut(20), required=False, aliases=("relation", "稱謂")),
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
    return spreadsheets.header_key(text)


@functools.cache
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
# Reading the file (the shared reader in ``licheng.core.spreadsheets``)
# ---------------------------------------------------------------------------------------------


def read_table(content: bytes, file_name: str) -> list[list[str]]:
    """The file's first sheet as rows of text, with the smaller upload limit of account lists.
    Raises ``ServiceError`` for anything unreadable."""
    spreadsheets.check_size(content, MAX_UPLOAD_BYTES)
    return spreadsheets.read_table(content, file_name, max_rows=MAX_ROWS)


def parse_rows(kind: str, content: bytes, file_name: str) -> list[dict[str, Any]]:
    """``[{"line": 2, "values": {field: text}}, …]``; blank lines are skipped. Unknown, repeated
    and missing columns are refused by ``spreadsheets.read_rows``."""
    spreadsheets.check_size(content, MAX_UPLOAD_BYTES)
    columns = COLUMNS[kind]
    _present, rows = spreadsheets.read_rows(columns, content, file_name, max_rows=MAX_ROWS)
    return [
        {"line": row.line, "values": {c.key: cell for c, cell in zip(columns, row.cells, strict=True)}} for row in rows
    ]


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


class Checked(spreadsheets.Checked):
    """Errors (``line``, ``column``, ``message``) and, per line, the clean values the apply step
    writes (``clean``)."""

    @property
    def clean(self) -> dict[int, dict[str, Any]]:
        return self.values


def student_username(school: School, student_number: str) -> str:
    """Students log in with their school code and student number: ``111111-1140001``. Student
    numbers repeat between schools; the prefix keeps usernames unique on a shared deployment."""
    return f"{school.code}-{student_number}"


def _cells(kind: str, rows: list[dict[str, Any]]) -> tuple[list[Row], Checked]:
    """The rows as the framework's ``Row``s and every cell parsed on its own."""
    columns = COLUMNS[kind]
    framed = [Row(row["line"], [str(row["values"].get(c.key, "") or "") for c in columns]) for row in rows]
    parsed = spreadsheets.parse_cells(columns, framed)
    result = Checked(errors=parsed.errors, values=parsed.values, _bad=parsed._bad)
    return framed, result


def _duplicates(kind: str, rows: list[Row], key: Any, result: Checked, column: str, message: str) -> None:
    """Flag every row whose ``key(cells by field)`` repeats within the file, naming the other lines."""
    keys = [c.key for c in COLUMNS[kind]]
    spreadsheets.duplicates(
        rows, lambda row: key(dict(zip(keys, row.cells, strict=True))) or None, result, column, message
    )


def _taken_username(line: int, username: str | None, taken: set[str], result: Checked) -> None:
    if username and username in taken:
        result.add(line, "username", _("Username “%(value)s” is already in use.") % {"value": username})


def check_students(school: School, academic_year: AcademicYear | None, rows: list[dict[str, Any]]) -> Checked:
    framed, result = _cells("students", rows)
    if academic_year is None:
        for entry in rows:
            result.add(entry["line"], "class_name", _("The school has no academic year yet; ask the school admin."))
        return result
    classes = {c.name: c for c in SchoolClass.objects.filter(school=school, academic_year=academic_year)}
    numbers = [v["student_number"] for v in result.values.values() if v["student_number"]]
    taken_numbers = set(
        Student.objects.filter(school=school, student_number__in=numbers).values_list("student_number", flat=True)
    )
    digests = {
        line: crypto.digest(v["national_id"]) for line, v in result.values.items() if v["national_id"] is not None
    }
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
    for row in framed:
        line, values = row.line, result.values[row.line]
        number = values["student_number"]
        if number:
            if number in taken_numbers:
                result.add(
                    line,
                    "student_number",
                    _("Student number %(value)s already exists in this school.") % {"value": number},
                )
            elif student_username(school, number) in taken_usernames:
                result.add(
                    line,
                    "student_number",
                    _("Username “%(value)s” is already in use.") % {"value": student_username(school, number)},
                )
        if line in digests and digests[line] in taken_digests:
            result.add(line, "national_id", _("A student with this national ID already exists in this school."))
        school_class = None
        if values["class_name"]:
            school_class = classes.get(values["class_name"])
            if school_class is None:
                result.add(
                    line,
                    "class_name",
                    _("This school has no class “%(value)s” in academic year %(year)s.")
                    % {"value": values["class_name"], "year": academic_year.year},
                )
        values["school_class"] = school_class
        seat = values["seat"]
        if seat is not None and school_class is not None and (school_class.pk, seat) in taken_seats:
            result.add(
                line,
                "seat",
                _("Seat %(seat)s in class %(class)s is already taken.") % {"seat": seat, "class": school_class.name},
            )
        if values["entry_year"] is None and not result.has_error(line, "entry_year"):
            values["entry_year"] = academic_year.year
        values["name"] = values["name"] or ""
        values["email"] = values["email"] or ""
    _duplicates(
        "students",
        framed,
        lambda v: v["student_number"],
        result,
        "student_number",
        _("Same student number as line %(lines)s."),
    )
    _duplicates(
        "students",
        framed,
        lambda v: v["national_id"].strip().upper(),
        result,
        "national_id",
        _("Same national ID as line %(lines)s."),
    )
    _duplicates(
        "students",
        framed,
        lambda v: (v["class_name"], v["seat"]) if v["class_name"] and v["seat"] else None,
        result,
        "seat",
        _("Same class and seat as line %(lines)s."),
    )
    return result


def check_staff(school: School, rows: list[dict[str, Any]]) -> Checked:
    framed, result = _cells("staff", rows)
    usernames = [v["username"] for v in result.values.values() if v["username"]]
    taken = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    for row in framed:
        values = result.values[row.line]
        _taken_username(row.line, values["username"], taken, result)
        values["email"] = values["email"] or ""
        values["title"] = values["title"] or ""
        values["roles"] = values["roles"] or []
    _duplicates("staff", framed, lambda v: v["username"], result, "username", _("Same username as line %(lines)s."))
    return result


def check_parents(school: School, rows: list[dict[str, Any]]) -> Checked:
    """A parent of several children has one row per child with the same username and name."""
    framed, result = _cells("parents", rows)
    usernames = [v["username"] for v in result.values.values() if v["username"]]
    taken = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    numbers = [v["student_number"] for v in result.values.values() if v["student_number"]]
    students = {s.student_number: s for s in Student.objects.filter(school=school, student_number__in=numbers)}
    names: dict[str, str] = {}
    for row in framed:
        line, values = row.line, result.values[row.line]
        _taken_username(line, values["username"], taken, result)
        number = values["student_number"]
        student = students.get(number) if number else None
        if number and student is None:
            result.add(
                line, "student_number", _("No student with number %(value)s in this school.") % {"value": number}
            )
        username, name = values["username"], values["name"]
        if username and name:
            first_name = names.setdefault(username, name)
            if first_name != name:
                result.add(
                    line,
                    "name",
                    _("Username “%(username)s” appears with another name (%(name)s) on another line.")
                    % {"username": username, "name": first_name},
                )
        values["student_id"] = student.pk if student else None
        values["email"] = values["email"] or ""
        values["relation"] = values["relation"] or ""
    _duplicates(
        "parents",
        framed,
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
    result.sort(COLUMNS[kind])
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
