"""The transfer package: a student's portfolio as a ZIP another school (or this platform) can import.

Layout (format ``licheng-transfer``, version 1)::

    package.json          format name and version, the sending school, counts
    profile.json          the student's profile and status history
    course_records.json   term grades (修課紀錄) with their variants
    course_outcomes.json  course outcomes with every version, its certification state and its files
    performances.json     performances with their kind's fields and files
    writings.json         reflections, autobiography and study plans
    files/<sha256>        every file, once, named by its SHA-256
    manifest-sha256.txt   ``<sha256>  <path>`` for every other entry (``sha256sum -c`` reads it)

Writing streams each stored file into the ZIP in chunks; reading checks every entry's hash against
the manifest before a byte of JSON is trusted.

The package holds the student's national ID and birth date (``profile.json``): every entry is
encrypted with AES-256 (WinZip AES, which 7-Zip and most unzip tools open) under a random password
that the sending registry is shown once (``new_password``); the receiving school enters it on
import. Packages of an older, unencrypted make still import without one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import secrets
import zipfile
from collections.abc import Iterator
from typing import IO, Any

import pyzipper
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from licheng.core.errors import ServiceError

FORMAT = "licheng-transfer"
VERSION = 1
MANIFEST = "manifest-sha256.txt"
JSON_ENTRIES = ("profile.json", "course_records.json", "course_outcomes.json", "performances.json", "writings.json")
CHUNK = 1024 * 1024
# A JSON entry larger than this is not a transfer package (a student's records are a few hundred kB).
MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_PACKAGE_BYTES = 2 * 1024 * 1024 * 1024  # the largest transfer package a school may import
_MANIFEST_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")

GRADE_FIELDS = (
    "academic_year",
    "term",
    "variant",
    "course_code",
    "subject_name",
    "grade_level",
    "credits",
    "score",
    "passed",
    "makeup_score",
    "makeup_passed",
    "credit_counted",
    "qualitative_description",
    "due_academic_year",
    "due_term",
    "method",
    "original_academic_year",
    "original_term",
    "original_course_code",
    "original_subject_name",
    "original_grade_level",
    "original_credits",
    "retake_score",
    "is_repeat",
    "mapped_academic_year",
    "mapped_term",
    "mapped_grade_level",
    "transfer_score",
)


PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 - no 0/O, 1/I: read aloud or copied


def new_password() -> str:
    """A random package password: 20 characters (about 100 bits) in groups of four."""
    raw = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


def _password_bytes(password: str) -> bytes:
    return password.strip().upper().encode("ascii", errors="replace")


def package_file_name(school_code: str, student_number: str) -> str:
    return f"transfer-{school_code}-{student_number}.zip"


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, default=_json_value).encode("utf-8")


def _file_entry(stored: Any, files: dict[str, Any]) -> dict[str, Any]:
    files.setdefault(stored.sha256, stored)
    return {
        "path": f"files/{stored.sha256}",
        "sha256": stored.sha256,
        "name": stored.original_name,
        "content_type": stored.content_type,
        "size": stored.size,
    }


def collect(student: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The package's JSON documents and the stored files it carries (by SHA-256), in a fixed number
    of queries."""
    from licheng.lifecycle.models import StatusChange
    from licheng.performances.models import Performance, PerformanceFile, Writing
    from licheng.portfolio.models import CourseOutcome, CourseOutcomeFile, CourseOutcomeVersion
    from licheng.records.models import Grade

    files: dict[str, Any] = {}
    school = student.school
    history = [
        {
            "kind": change.kind,
            "effective_on": change.effective_on,
            "note": change.note,
            "other_school_code": change.other_school_code,
            "starts_on": change.starts_on,
            "ends_on": change.ends_on,
            "repeated_year": change.repeated_year,
        }
        for change in StatusChange.objects.filter(school=school, student=student).order_by("pk")
    ]
    profile = {
        "student_number": student.student_number,
        "name": student.name,
        "national_id": student.national_id,
        "birth_date": student.birth_date,
        "sex": student.sex,
        "entry_year": student.entry_year,
        "division_code": student.division.code,
        "division_name": student.division.name,
        "class_name": student.school_class.name if student.school_class else "",
        "grade": student.school_class.grade if student.school_class else None,
        "seat": student.seat,
        "status": student.status,
        "status_history": history,
    }
    grades = [
        {field: _json_value(getattr(grade, field)) for field in GRADE_FIELDS}
        for grade in Grade.objects.filter(school=school, student=student).order_by(
            "academic_year", "term", "course_code", "variant"
        )
    ]
    outcomes = []
    for outcome in (
        CourseOutcome.objects.filter(school=school, student=student)
        .select_related("course", "term__academic_year")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=CourseOutcomeVersion.objects.select_related("reason", "decided_by").prefetch_related(
                    Prefetch("outcome_files", queryset=CourseOutcomeFile.objects.select_related("stored_file"))
                ),
            ),
            "selections",
        )
        .order_by("term__starts_on", "pk")
    ):
        outcomes.append(
            {
                "academic_year": outcome.term.academic_year.year,
                "term": outcome.term.number,
                "course_code": outcome.course.course_code,
                "subject_name": outcome.course.subject_name,
                "credits": outcome.course.credits,
                "uploaded_at": outcome.created_at,
                "withdrawn_at": outcome.withdrawn_at,
                "selected": bool(outcome.selections.all()),
                "versions": [
                    {
                        "number": version.number,
                        "description": version.description,
                        "state": version.state,
                        "decided_at": version.decided_at,
                        "decided_by": version.decided_by.name if version.decided_by else "",
                        "reason_code": version.reason.code if version.reason else "",
                        "reason": version.reason.label if version.reason else "",
                        "reason_text": version.reason_text,
                        "files": [_file_entry(link.stored_file, files) for link in version.outcome_files.all()],
                    }
                    for version in outcome.versions.all()
                ],
            }
        )
    performances = [
        {
            "academic_year": performance.academic_year.year,
            "kind": performance.kind,
            "kind_label": str(performance.get_kind_display()),
            "description": performance.description,
            "external_link": performance.external_link,
            "fields": performance.fields,
            "source": performance.source,
            "office": performance.office,
            "created_at": performance.created_at,
            "withdrawn_at": performance.withdrawn_at,
            "selected": hasattr(performance, "selection"),
            "files": [_file_entry(link.stored_file, files) for link in performance.performance_files.all()],
        }
        for performance in Performance.objects.filter(school=school, student=student)
        .select_related("academic_year", "selection")
        .prefetch_related(Prefetch("performance_files", queryset=PerformanceFile.objects.select_related("stored_file")))
        .order_by("academic_year__year", "kind", "pk")
    ]
    writings = [
        {
            "academic_year": writing.term.academic_year.year,
            "term": writing.term.number,
            "kind": writing.kind,
            "sections": writing.sections,
            "updated_at": writing.updated_at,
            "attachment": _file_entry(writing.attachment, files) if writing.attachment else None,
        }
        for writing in Writing.objects.filter(school=school, student=student)
        .select_related("term__academic_year", "attachment")
        .order_by("term__starts_on", "kind")
    ]
    documents = {
        "profile.json": profile,
        "course_records.json": grades,
        "course_outcomes.json": outcomes,
        "performances.json": performances,
        "writings.json": writings,
    }
    head = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now(),
        "school": {"code": school.code, "name": school.name},
        "student_number": student.student_number,
        "counts": {
            "course_records": len(grades),
            "course_outcomes": len(outcomes),
            "performances": len(performances),
            "writings": len(writings),
            "files": len(files),
        },
    }
    return {"package.json": head, **documents}, files


def write(student: Any, out: IO[bytes], *, password: str) -> int:
    """Write the package of ``student`` to ``out`` (a file opened for writing), every entry
    encrypted under ``password``; return the number of files it carries. Stored files are copied in
    chunks, never held whole in memory."""
    from licheng.files.services import file_open

    documents, files = collect(student)
    manifest: list[tuple[str, str]] = []
    with pyzipper.AESZipFile(
        out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(_password_bytes(password))
        for name, data in documents.items():
            payload = _dumps(data)
            archive.writestr(name, payload)
            manifest.append((hashlib.sha256(payload).hexdigest(), name))
        for sha256, stored in files.items():
            digest = hashlib.sha256()
            path = f"files/{sha256}"
            # Media is already compressed; documents gain little. Store both as they are.
            info = archive.zipinfo_cls(path, date_time=timezone.localtime().timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            with file_open(stored) as src, archive.open(info, "w", force_zip64=True) as dst:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
            if digest.hexdigest() != sha256:
                raise ServiceError(
                    _("The stored file %(name)s no longer matches its hash; it cannot be put in the package.")
                    % {"name": stored.original_name}
                )
            manifest.append((sha256, path))
        archive.writestr(MANIFEST, "".join(f"{sha}  {name}\n" for sha, name in manifest).encode("ascii"))
    return len(files)


# --- reading --------------------------------------------------------------------------------------


@dataclasses.dataclass
class Package:
    """A verified package: every entry's hash matched the manifest."""

    archive: Any  # a pyzipper.AESZipFile
    head: dict[str, Any]
    documents: dict[str, Any]
    hashes: dict[str, str]  # path → sha256

    def open_file(self, path: str) -> IO[bytes]:
        return self.archive.open(path)


def _not_a_package() -> ServiceError:
    return ServiceError(
        _(
            "This file is not a transfer package: a transfer package is the ZIP another school's "
            "platform made when the student transferred out (it holds package.json and manifest-sha256.txt)."
        ),
        field="package",
    )


def _safe_name(name: str) -> bool:
    return not (name.startswith("/") or "\\" in name or ".." in name.split("/") or name.endswith("/"))


def _entry_hash(archive: Any, info: Any) -> str:
    digest = hashlib.sha256()
    with archive.open(info) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _read_manifest(archive: Any) -> dict[str, str]:
    info = archive.getinfo(MANIFEST)
    if info.file_size > MAX_JSON_BYTES:
        raise _not_a_package()
    text = archive.read(info).decode("utf-8", errors="replace")
    hashes: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _MANIFEST_LINE.match(line.strip())
        if not match or match.group(2) in hashes:
            raise ServiceError(
                _("Line %(line)s of the package's manifest cannot be read; the package is damaged.") % {"line": number},
                field="package",
            )
        hashes[match.group(2)] = match.group(1)
    return hashes


def _open_with(archive: Any, password: str) -> None:
    """Check ``password`` opens an encrypted package (ServiceError on the password field if not)."""
    if not any(info.flag_bits & 0x1 for info in archive.infolist()):
        return  # an unencrypted package of an older make
    if not password.strip():
        raise ServiceError(
            _(
                "This transfer package is protected by a password. Enter the password the sending "
                "school's registry was shown when the package was made."
            ),
            field="password",
        )
    archive.setpassword(_password_bytes(password))
    try:
        archive.read("package.json")
    except RuntimeError:
        raise ServiceError(
            _("The password does not open this transfer package. Check it with the sending school."),
            field="password",
        ) from None


def verify(path: str, password: str = "") -> Package:
    """Open the package at ``path`` and check it: a ZIP, opened with ``password`` when encrypted,
    with a manifest listing every entry and nothing else, every entry's SHA-256 matching, then the
    format and version. Raises ServiceError with a message for the registry; the caller changes
    nothing before this returns."""
    try:
        archive = pyzipper.AESZipFile(path)
    except (zipfile.BadZipFile, pyzipper.BadZipFile, OSError, ValueError):
        raise _not_a_package() from None
    try:
        names = archive.namelist()
        if MANIFEST not in names or "package.json" not in names:
            raise _not_a_package()
        _open_with(archive, password)
        if len(set(names)) != len(names) or not all(_safe_name(name) for name in names):
            raise ServiceError(_("The package holds file names that are not allowed."), field="package")
        hashes = _read_manifest(archive)
        listed = set(hashes)
        present = set(names) - {MANIFEST}
        for missing in sorted(listed - present):
            raise ServiceError(
                _("The package lacks %(name)s, which its manifest lists: it is incomplete.") % {"name": missing},
                field="package",
            )
        for extra in sorted(present - listed):
            raise ServiceError(
                _("The package holds %(name)s, which its manifest does not list.") % {"name": extra}, field="package"
            )
        for info in archive.infolist():
            if info.filename == MANIFEST:
                continue
            try:
                actual = _entry_hash(archive, info)
            except (zipfile.BadZipFile, pyzipper.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
                actual = ""
            if actual != hashes[info.filename]:
                raise ServiceError(
                    _(
                        "%(name)s in the package does not match its SHA-256 hash: the package is damaged or was "
                        "changed. Ask the previous school for a new one."
                    )
                    % {"name": info.filename},
                    field="package",
                )
        head = _load(archive, "package.json")
        if not isinstance(head, dict) or head.get("format") != FORMAT:
            raise _not_a_package()
        if head.get("version") != VERSION:
            raise ServiceError(
                _("This transfer package has version %(version)s, which this platform cannot read.")
                % {"version": head.get("version")},
                field="package",
            )
        documents = {name: _load(archive, name) for name in JSON_ENTRIES}
        _check_files(documents, hashes)
    except BaseException:
        archive.close()
        raise
    return Package(archive=archive, head=head, documents=documents, hashes=hashes)


def _load(archive: Any, name: str) -> Any:
    try:
        info = archive.getinfo(name)
        if info.file_size > MAX_JSON_BYTES:
            raise ValueError(name)
        return json.loads(archive.read(info).decode("utf-8"))
    except (KeyError, ValueError):
        raise ServiceError(
            _("The package's %(name)s is missing or cannot be read.") % {"name": name}, field="package"
        ) from None


def file_refs(documents: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for outcome in documents["course_outcomes.json"]:
        for version in outcome.get("versions", []):
            yield from version.get("files", [])
    for performance in documents["performances.json"]:
        yield from performance.get("files", [])
    for writing in documents["writings.json"]:
        if writing.get("attachment"):
            yield writing["attachment"]


def _check_files(documents: dict[str, Any], hashes: dict[str, str]) -> None:
    try:
        if not isinstance(documents["profile.json"], dict):
            raise TypeError
        for name in JSON_ENTRIES[1:]:
            if not isinstance(documents[name], list):
                raise TypeError
        refs = list(file_refs(documents))
        for ref in refs:
            if hashes.get(ref["path"]) != ref["sha256"] or not ref["path"].startswith("files/"):
                raise ServiceError(
                    _("The package's records name the file %(name)s, which the package does not hold.")
                    % {"name": ref.get("name") or ref["path"]},
                    field="package",
                )
    except (KeyError, TypeError, AttributeError):
        raise ServiceError(_("The package's records are incomplete or malformed."), field="package") from None
