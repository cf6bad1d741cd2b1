"""The personal export (個人匯出): a student's whole portfolio as one ZIP they can keep.

The ZIP holds
- ``index.html`` — the portfolio in Traditional Chinese, one self-contained page (no external CSS or
  scripts) that opens offline and links to the files inside the ZIP with relative links;
- ``files/…`` — every file, under a safe and unique name;
- ``records.json`` — every record, dates both ISO (``2025-10-01``) and ROC (``114.10.01``);
- ``summary.pdf`` — a printable summary (WeasyPrint, Noto Sans CJK TC embedded);
- ``manifest-sha256.txt`` — ``<sha256>  <path>`` for every other entry (``sha256sum -c`` reads it).

A background task builds it into private storage, streaming each file into a temporary ZIP on disk
(never a whole file in memory) and recording progress on the ``PortfolioExport`` row. Exports expire
``EXPORT_KEEP_DAYS`` days after they were requested; ``purge_expired_exports`` removes them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import re
import secrets
import tempfile
import unicodedata
import urllib.parse
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from django_tasks import task

from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.credentials.export import write_credentials
from licheng.people.models import ParentLink, Student
from licheng.people.selectors import may
from licheng.portfolio.contents import StudentPortfolio, student_portfolio
from licheng.portfolio.models import EXPORT_KEEP_DAYS, ExportStatus, PortfolioExport
from licheng.schools import rocdate

if TYPE_CHECKING:
    from licheng.files.models import StoredFile
    from licheng.people.models import User
    from licheng.schools.models import School

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024
MANIFEST = "manifest-sha256.txt"
# An export still queued or running after this long is taken as lost (a worker died) and may be
# requested again.
STALE_AFTER = datetime.timedelta(hours=2)


# --- who may export -------------------------------------------------------------------------------


def exportable_students(user: User, school: School) -> QuerySet[Student]:
    """Students whose export ``user`` may request and download: themself, their children, or
    everyone for staff with ``portfolio.view_all``."""
    students = Student.objects.filter(school=school)
    if not user.is_authenticated or user.school_id not in (None, school.pk):
        return students.none()
    if may(user, school, "portfolio.view_all"):
        return students
    if user.school_id != school.pk:
        return students.none()
    return students.filter(
        Q(user=user) | Q(pk__in=ParentLink.objects.filter(school=school, parent=user).values("student_id"))
    )


def exports_visible_to(user: User, school: School) -> QuerySet[PortfolioExport]:
    return PortfolioExport.objects.filter(school=school, student__in=exportable_students(user, school))


# --- services -------------------------------------------------------------------------------------


@transaction.atomic
def portfolio_export_request(*, actor: Actor, student: Student) -> PortfolioExport:
    """Queue an export of ``student``'s portfolio; an export already under way is returned instead
    of starting a second one. Sealed portfolios can be exported (reading changes nothing)."""
    user = actor.user
    if user is None or not exportable_students(user, student.school).filter(pk=student.pk).exists():
        raise ServiceError(_("You may not export this student's portfolio."))
    # one request at a time per student (no ORDER BY: the default ordering joins a nullable class)
    list(Student.objects.select_for_update().filter(pk=student.pk).order_by().values_list("pk", flat=True))
    now = timezone.now()
    running = (
        PortfolioExport.objects.filter(
            school_id=student.school_id,
            student=student,
            status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING],
            created_at__gt=now - STALE_AFTER,
        )
        .order_by("-created_at")
        .first()
    )
    if running is not None:
        return running
    _purge(
        PortfolioExport.objects.filter(
            school_id=student.school_id,
            student=student,
            created_at__lte=now - datetime.timedelta(days=EXPORT_KEEP_DAYS),
        )
    )
    export = PortfolioExport.objects.create(school_id=student.school_id, student=student, requested_by=user)
    record(actor=actor, school=student.school, action="portfolio_export.request", obj=export, changes={})
    export_pk = export.pk
    transaction.on_commit(lambda: build_portfolio_export.enqueue(export_id=export_pk))
    return export


def _purge(exports: QuerySet[PortfolioExport]) -> int:
    """Delete the rows; their files go once the deletion is committed."""
    rows = list(exports)
    names = [name for export in rows for name in (export.file, export.summary_file) if name]
    for export in rows:
        export.delete()

    def remove_files() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.exception("could not remove export %s", name)

    transaction.on_commit(remove_files)
    return len(rows)


@task()
def purge_expired_exports() -> int:
    """Remove every export older than ``EXPORT_KEEP_DAYS`` days, files and rows (a daily job)."""
    cutoff = timezone.now() - datetime.timedelta(days=EXPORT_KEEP_DAYS)
    with scopes_disabled():
        return _purge(PortfolioExport.objects.filter(created_at__lte=cutoff))


# --- building -------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*#%]")


def safe_name(name: str, *, limit: int = 80) -> str:
    """A file name safe on every system: no folders, control characters or reserved marks, not
    hidden, at most ``limit`` characters (the extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = name, ""
    ext = ext[:10]
    room = max(1, limit - (len(ext) + 1 if ext else 0))
    stem = stem[:room].strip() or "file"
    return f"{stem}.{ext}" if ext else stem


class _Hashing:
    """Write-through wrapper that hashes what passes."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.target.write(data)


def _roc(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    try:
        return rocdate.format_roc(value)
    except rocdate.RocDateError:
        return None


def _plain(obj: models.Model, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A staff record as JSON: its own fields, choices with their labels, dates as ISO plus ROC."""
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        name = field.name
        if name in ("id", "school", "student", "created_at", "updated_at", *skip) or field.is_relation:
            continue
        value = getattr(obj, field.attname)
        if isinstance(value, datetime.datetime):
            out[name] = timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
            out[f"{name}_roc"] = _roc(value)
        elif isinstance(value, datetime.date):
            out[name] = value.isoformat()
            out[f"{name}_roc"] = _roc(value)
        elif isinstance(value, Decimal):
            out[name] = str(value)
        else:
            out[name] = value
        if field.choices and value is not None:
            out[f"{name}_label"] = str(getattr(obj, f"get_{name}_display")())
    return out


def _when(value: datetime.datetime | datetime.date | None) -> dict[str, Any]:
    if value is None:
        return {"iso": None, "roc": None}
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return {"iso": timezone.localtime(value).isoformat(), "roc": _roc(value)}
    return {"iso": value.isoformat(), "roc": _roc(value)}


def _file_json(stored: StoredFile) -> dict[str, Any]:
    return {
        "name": stored.original_name,
        "path": stored.export_path,  # type: ignore[attr-defined]
        "sha256": stored.sha256,
        "size": stored.size,
        "content_type": stored.content_type,
    }


def records_json(portfolio: StudentPortfolio, *, generated_at: datetime.datetime) -> dict[str, Any]:
    student = portfolio.student
    school_class = student.school_class
    data: dict[str, Any] = {
        "format": "licheng-portfolio-export",
        "version": 1,
        "generated_at": _when(generated_at),
        "school": {"code": student.school.code, "name": student.school.name},
        "student": {
            "name": student.name,
            "student_number": student.student_number,
            "class": school_class.name if school_class else None,
            "seat": student.seat,
            "entry_year": student.entry_year,
        },
        "course_outcomes": [
            {
                "term": outcome.term.label,
                "course": outcome.course.subject_name,
                "credits": outcome.course.credits,
                "uploaded_at": _when(outcome.created_at),
                "selected": outcome.selected,  # type: ignore[attr-defined]
                "versions": [
                    {
                        "number": v.number,
                        "description": v.description,
                        "state": v.state,
                        "state_label": str(v.get_state_display()),
                        "created_at": _when(v.created_at),
                        "decided_at": _when(v.decided_at),
                        "decided_by": str(v.decided_by) if v.decided_by else None,
                        "on_behalf_of": str(v.decided_on_behalf_of) if v.decided_on_behalf_of else None,
                        "reason_code": v.reason.code if v.reason else None,
                        "reason": v.reason.label if v.reason else None,
                        "reason_text": v.reason_text,
                        "files": [_file_json(f.stored_file) for f in v.outcome_files.all()],
                    }
                    for v in outcome.version_list  # type: ignore[attr-defined]
                ],
            }
            for outcome in portfolio.outcomes
        ],
        "performances": [
            {
                "academic_year": p.academic_year.year,
                "kind": p.kind,
                "kind_label": str(p.get_kind_display()),
                "description": p.description,
                "external_link": p.external_link,
                "fields": p.fields,
                "fields_display": dict(p.display),  # type: ignore[attr-defined]
                "staff_verified": p.is_staff_verified,
                "office": p.office,
                "selected": p.is_selected,  # type: ignore[attr-defined]
                "created_at": _when(p.created_at),
                "files": [_file_json(f.stored_file) for f in p.performance_files.all()],
            }
            for p in portfolio.performances
        ],
        "writings": [
            {
                "term": w.term.label,
                "kind": w.kind,
                "kind_label": str(w.get_kind_display()),
                "sections": dict(w.section_rows),  # type: ignore[attr-defined]
                "updated_at": _when(w.updated_at),
                "attachment": _file_json(w.attachment) if w.attachment else None,
                "reviews": [
                    {
                        "role": r.role,
                        "role_label": str(r.get_role_display()),
                        "reviewer": str(r.reviewer),
                        "comment": r.comment,
                        "checked_at": _when(r.checked_at),
                    }
                    for r in w.review_list  # type: ignore[attr-defined]
                ],
            }
            for w in portfolio.writings
        ],
    }
    records = portfolio.records or {}
    transcript = records.get("transcript") or {"terms": []}
    data["records"] = {
        "grades": [_plain(g) for term in transcript["terms"] for g in term["grades"]],
        **{
            key: [_plain(row, skip=("verified_by", "entered_by")) for row in records.get(key, [])]
            for key in ("cadre_roles", "attendance", "rewards_penalties", "career_exploration")
        },
    }
    return data


def _assign_paths(portfolio: StudentPortfolio) -> list[StoredFile]:
    """Give every stored file (``export_path``) a unique, safe path inside the ZIP."""
    files = portfolio.stored_files()
    paths: dict[int, str] = {}
    used: set[str] = set()
    for number, stored in enumerate(files, start=1):
        path = f"files/{number:03d}-{safe_name(stored.original_name)}"
        while path in used:  # cannot happen with the numbers, but never overwrite an entry
            path = f"files/{number:03d}-{secrets.token_hex(2)}-{safe_name(stored.original_name)}"
        used.add(path)
        paths[stored.pk] = path
    # Every instance of a stored file (each row loads its own) learns its path.
    for outcome in portfolio.outcomes:
        for version in outcome.version_list:  # type: ignore[attr-defined]
            for row in version.outcome_files.all():
                row.stored_file.export_path = paths[row.stored_file_id]  # type: ignore[attr-defined]
                row.stored_file.export_href = urllib.parse.quote(paths[row.stored_file_id])  # type: ignore[attr-defined]
    for performance in portfolio.performances:
        for row in performance.performance_files.all():
            row.stored_file.export_path = paths[row.stored_file_id]  # type: ignore[attr-defined]
            row.stored_file.export_href = urllib.parse.quote(paths[row.stored_file_id])  # type: ignore[attr-defined]
    for writing in portfolio.writings:
        if writing.attachment is not None:
            writing.attachment.export_path = paths[writing.attachment.pk]  # type: ignore[attr-defined]
            writing.attachment.export_href = urllib.parse.quote(paths[writing.attachment.pk])  # type: ignore[attr-defined]
    return files


def render_summary_pdf(portfolio: StudentPortfolio, out_path: str, *, generated_at: datetime.datetime) -> None:
    """The printable summary, with the CJK font embedded (WeasyPrint subsets and embeds it)."""
    from weasyprint import HTML

    html = render_to_string(
        "portfolio/export/summary.html", {"p": portfolio, "student": portfolio.student, "generated_at": generated_at}
    )
    HTML(string=html).write_pdf(out_path)


def _write_bytes(archive: zipfile.ZipFile, path: str, data: bytes, manifest: list[tuple[str, str]]) -> None:
    archive.writestr(path, data)
    manifest.append((hashlib.sha256(data).hexdigest(), path))


def _write_path(archive: zipfile.ZipFile, path: str, src_path: str, manifest: list[tuple[str, str]]) -> None:
    with archive.open(path, "w", force_zip64=True) as entry, open(src_path, "rb") as source:
        sink = _Hashing(entry)
        while chunk := source.read(CHUNK):
            sink.write(chunk)
    manifest.append((sink.digest.hexdigest(), path))


def _write_stored(
    archive: zipfile.ZipFile, stored: StoredFile, path: str, manifest: list[tuple[str, str]], problems: list[str]
) -> None:
    from licheng.files.services import file_open

    with archive.open(path, "w", force_zip64=True) as entry:
        sink = _Hashing(entry)
        try:
            with file_open(stored) as source:
                while chunk := source.read(CHUNK):
                    sink.write(chunk)
        except OSError:
            logger.exception("export: stored file %s unreadable", stored.pk)
            problems.append(_("%(name)s could not be read from storage.") % {"name": stored.original_name})
    sha256 = sink.digest.hexdigest()
    if sha256 != stored.sha256:
        problems.append(
            _("%(name)s does not match the fingerprint recorded when it was uploaded.") % {"name": stored.original_name}
        )
    manifest.append((sha256, path))


def write_export_zip(
    portfolio: StudentPortfolio,
    target: IO[bytes],
    *,
    generated_at: datetime.datetime,
    progress: Any = None,
    summary_path: str | None = None,
) -> list[str]:
    """Write the ZIP to ``target`` (a file open for writing); returns the problems met (a file that
    could not be read or does not verify), which the index also lists."""
    files = _assign_paths(portfolio)
    manifest: list[tuple[str, str]] = []
    problems: list[str] = []
    total = len(files) + 3
    done = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for stored in files:
            _write_stored(archive, stored, stored.export_path, manifest, problems)  # type: ignore[attr-defined]
            done += 1
            if progress is not None:
                progress(done, total)
        credentials = write_credentials(
            portfolio.student, lambda path, data: _write_bytes(archive, path, data, manifest)
        )
        data = records_json(portfolio, generated_at=generated_at)
        data["problems"] = problems
        _write_bytes(archive, "records.json", json.dumps(data, ensure_ascii=False, indent=2).encode(), manifest)
        done += 1
        if progress is not None:
            progress(done, total)
        own_summary = summary_path is None
        if own_summary:
            fd, summary_path = tempfile.mkstemp(prefix="licheng-summary-", suffix=".pdf")
            os.close(fd)
        assert summary_path is not None
        try:
            if own_summary or not os.path.getsize(summary_path):
                render_summary_pdf(portfolio, summary_path, generated_at=generated_at)
            _write_path(archive, "summary.pdf", summary_path, manifest)
        finally:
            if own_summary:
                Path(summary_path).unlink(missing_ok=True)
        done += 1
        if progress is not None:
            progress(done, total)
        index = render_to_string(
            "portfolio/export/index.html",
            {
                "p": portfolio,
                "student": portfolio.student,
                "generated_at": generated_at,
                "problems": problems,
                "has_credentials": bool(credentials),
            },
        )
        _write_bytes(archive, "index.html", index.encode(), manifest)
        lines = "".join(f"{sha256}  {path}\n" for sha256, path in manifest)
        archive.writestr(MANIFEST, lines.encode())
        done += 1
        if progress is not None:
            progress(done, total)
    return problems


def _storage_names(export: PortfolioExport) -> tuple[str, str]:
    token = secrets.token_hex(8)
    base = f"exports/{export.school_id}/{export.pk}-{token}"
    return f"{base}.zip", f"{base}-summary.pdf"


def _save(src_path: str, name: str) -> str:
    with open(src_path, "rb") as fh:
        return default_storage.save(name, File(fh, name=os.path.basename(name)))


def _hash_path(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@task()
def build_portfolio_export(*, export_id: int) -> str:
    """Build one export (safe to run again: a finished export is left alone). Returns its status."""
    with scopes_disabled():
        export = PortfolioExport.objects.select_related("student__school", "student__school_class").get(pk=export_id)
        if export.status in (ExportStatus.DONE, ExportStatus.FAILED):
            return export.status
        PortfolioExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING)
        made: list[str] = []
        try:
            with translation.override("zh-hant"):
                generated_at = timezone.now()
                portfolio = student_portfolio(export.student, records=True)

                def progress(done: int, total: int) -> None:
                    PortfolioExport.objects.filter(pk=export.pk).update(progress_done=done, progress_total=total)

                progress(0, len(portfolio.stored_files()) + 3)
                fd, zip_path = tempfile.mkstemp(prefix="licheng-export-", suffix=".zip")
                made.append(zip_path)
                fd_pdf, pdf_path = tempfile.mkstemp(prefix="licheng-summary-", suffix=".pdf")
                os.close(fd_pdf)
                made.append(pdf_path)
                render_summary_pdf(portfolio, pdf_path, generated_at=generated_at)
                with os.fdopen(fd, "wb") as target:
                    write_export_zip(
                        portfolio, target, generated_at=generated_at, progress=progress, summary_path=pdf_path
                    )
            zip_name, pdf_name = _storage_names(export)
            sha256 = _hash_path(zip_path)
            size = os.path.getsize(zip_path)
            stored_zip = _save(zip_path, zip_name)
            stored_pdf = _save(pdf_path, pdf_name)
            PortfolioExport.objects.filter(pk=export.pk).update(
                status=ExportStatus.DONE,
                file=stored_zip,
                summary_file=stored_pdf,
                sha256=sha256,
                size=size,
                finished_at=timezone.now(),
            )
            return ExportStatus.DONE
        except Exception:
            logger.exception("portfolio export %s failed", export.pk)
            PortfolioExport.objects.filter(pk=export.pk).update(
                status=ExportStatus.FAILED, error="build failed", finished_at=timezone.now()
            )
            return ExportStatus.FAILED
        finally:
            for path in made:
                Path(path).unlink(missing_ok=True)


def download_name(export: PortfolioExport, suffix: str) -> str:
    student = export.student
    day = timezone.localtime(export.created_at).date()
    return f"{student.student_number}-{student.name}-學習歷程-{rocdate.format_roc_compact(day)}{suffix}"
