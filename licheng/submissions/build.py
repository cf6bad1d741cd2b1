"""Building a submission snapshot: the rosters as XLSX, every student's rows, the files, the
SHA-256 manifest and the changes since the previous snapshot. Runs in the background job
(``licheng.submissions.tasks.build_submission``); never inside a request."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from licheng.files.models import FileKind, StoredFile
from licheng.files.services import store_blob
from licheng.people.models import Student
from licheng.submissions import roster_sources as S
from licheng.submissions import rosters as R
from licheng.submissions.models import Submission, SubmittedFile, SubmittedRecord, SubmittedRoster

# A plain number (``-1`` for "no make-up exam") is not a formula and is written as it is.
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROSTER_FOLDER = "rosters"
FILE_FOLDER = "files"
MANIFEST_NAME = "MANIFEST.sha256"


def load_context(submission: Submission) -> R.Context:
    students = (
        Student.objects.filter(school=submission.school, status__in=R.SUBMITTED_STATUSES, sealed_at__isnull=True)
        .select_related("school_class", "division")
        .order_by("pk")
    )
    return R.Context(school=submission.school, term=submission.term, students={s.pk: s for s in students})


def _write_roster(
    path: str,
    school_code: str,
    ctx: R.Context,
    roster: R.RosterDef,
    students: list[Student],
    files: list[S.PackagedFile],
) -> tuple[int, dict[int, dict[str, list[dict[str, str]]]]]:
    """Write the roster workbook at ``path``; answer its row count and each student's rows."""
    from licheng.core.spreadsheets import neutralise
    from licheng.submissions.xlsx import RosterWorkbook

    per_student: dict[int, dict[str, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    count = 0

    def rows(sheet: R.SheetDef) -> Iterator[list[str]]:
        nonlocal count
        headers = sheet.headers
        yield list(headers)
        data_headers = headers[1:]
        for student, cells in S.sheet_rows(sheet, ctx, students, files):
            per_student[student.pk][sheet.name].append(dict(zip(data_headers, cells[1:], strict=True)))
            count += 1
            yield [value if _NUMBER.match(value) else neutralise(value) for value in cells]

    with RosterWorkbook(path) as book:
        book.sheet(R.COVER_SHEET, [list(R.COVER_HEADERS), R.cover_row(school_code, ctx, roster)])
        for sheet in roster.sheets:
            book.sheet(sheet.name, rows(sheet))
    return count, per_student


def _store(path: str, name: str, submission: Submission) -> StoredFile:
    sha256, storage_name, _wrote = store_blob(path)
    return StoredFile.objects.create(
        school=submission.school,
        sha256=sha256,
        size=os.path.getsize(path),
        content_type=XLSX_TYPE,
        kind=FileKind.DOCUMENT,
        original_name=name,
        storage_name=storage_name,
        uploaded_by=submission.started_by,
    )


def row_key(sheet: str, row: dict[str, str], key: tuple[str, ...]) -> tuple[str, ...]:
    return (sheet, *(row.get(h, "") for h in key))


def _keyed(records: dict[int, dict[str, list[dict[str, str]]]], roster: R.RosterDef) -> dict[tuple[Any, ...], str]:
    keys = {sheet.name: sheet.key for sheet in roster.sheets}
    out: dict[tuple[Any, ...], str] = {}
    for student_pk, sheets in records.items():
        for sheet, rows in sheets.items():
            seen: dict[tuple[str, ...], int] = defaultdict(int)
            for row in rows:
                k = row_key(sheet, row, keys.get(sheet, ()))
                seen[k] += 1
                out[(student_pk, *k, seen[k])] = repr(sorted(row.items()))
    return out


def compare(before: dict[tuple[Any, ...], str], after: dict[tuple[Any, ...], str]) -> dict[str, int]:
    return {
        "added": sum(1 for k in after if k not in before),
        "removed": sum(1 for k in before if k not in after),
        "changed": sum(1 for k, v in after.items() if k in before and before[k] != v),
    }


def changes_since(previous: Submission, records_by_roster: dict[str, dict[int, Any]]) -> dict[str, dict[str, int]]:
    old: dict[str, dict[int, Any]] = defaultdict(dict)
    for rec in SubmittedRecord.objects.filter(submission=previous).values("roster_code", "student_id", "sheets"):
        old[rec["roster_code"]][rec["student_id"]] = rec["sheets"]
    result = {}
    for code in sorted(set(old) | set(records_by_roster), key=lambda c: int(c)):
        roster = R.ROSTERS[code]
        result[code] = compare(_keyed(old.get(code, {}), roster), _keyed(records_by_roster.get(code, {}), roster))
    return result


def _insert_records(records: Iterable[SubmittedRecord]) -> None:
    """Insert a snapshot's records (one per student and roster: tens of thousands for a school).
    On PostgreSQL through COPY, which takes the rows as a stream instead of as statements whose
    parameters are bound one by one; elsewhere in batches."""
    if connection.vendor != "postgresql":
        SubmittedRecord.objects.bulk_create(records, batch_size=1000)
        return
    table = SubmittedRecord._meta.db_table
    columns = "school_id, submission_id, student_id, roster_code, category, sheets"
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for r in records:
            copy.write_row(
                (r.school_id, r.submission_id, r.student_id, r.roster_code, r.category, json.dumps(r.sheets))
            )


def build(submission: Submission, progress: Callable[[int, str], None]) -> None:
    """Fill a queued submission. Everything is written in one transaction at the end."""
    ctx = load_context(submission)
    school_code = submission.school.code
    rosters = R.rosters_for_term(submission.term.number)
    files: list[S.PackagedFile] = []
    built: list[tuple[R.RosterDef, str, StoredFile, int]] = []
    records_by_roster: dict[str, dict[int, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="licheng-submission-") as folder:
        for index, roster in enumerate(rosters):
            progress(5 + 80 * index // len(rosters), roster.name)
            students = R.students_for(roster, ctx)
            file_name = roster.file_name(school_code, R.term_text(ctx, roster))
            path = str(Path(folder) / f"{roster.code}.xlsx")
            count, per_student = _write_roster(path, school_code, ctx, roster, students, files)
            stored = _store(path, file_name, submission)
            built.append((roster, file_name, stored, count))
            records_by_roster[roster.code] = {pk: dict(sheets) for pk, sheets in per_student.items()}
    progress(90, "manifest")
    unique_files: dict[str, StoredFile] = {}
    for packaged in files:
        unique_files.setdefault(packaged.name, packaged.stored_file)
    lines = [f"{stored.sha256}  {ROSTER_FOLDER}/{name}" for _r, name, stored, _c in built]
    lines += [f"{stored.sha256}  {FILE_FOLDER}/{name}" for name, stored in sorted(unique_files.items())]
    manifest = "\n".join(lines) + "\n"
    previous = (
        Submission.objects.filter(school=submission.school, term=submission.term, status="done")
        .exclude(pk=submission.pk)
        .order_by("-number")
        .first()
    )
    changes = changes_since(previous, records_by_roster) if previous else {}
    with transaction.atomic():
        SubmittedRoster.objects.bulk_create(
            SubmittedRoster(
                school=submission.school,
                submission=submission,
                code=roster.code,
                name=roster.name,
                file_name=name,
                stored_file=stored,
                row_count=count,
                term_code=R.term_text(ctx, roster),
            )
            for roster, name, stored, count in built
        )
        _insert_records(
            SubmittedRecord(
                school=submission.school,
                submission=submission,
                student_id=student_pk,
                roster_code=code,
                category=R.ROSTERS[code].category,
                sheets=sheets,
            )
            for code, by_student in records_by_roster.items()
            for student_pk, sheets in by_student.items()
        )
        SubmittedFile.objects.bulk_create(
            (
                SubmittedFile(
                    school=submission.school,
                    submission=submission,
                    name=name,
                    stored_file=stored,
                    sha256=stored.sha256,
                    size=stored.size,
                )
                for name, stored in unique_files.items()
            ),
            batch_size=1000,
        )
        Submission.objects.filter(pk=submission.pk).update(
            status="done",
            progress=100,
            progress_note="",
            finished_at=timezone.now(),
            manifest=manifest,
            manifest_sha256=hashlib.sha256(manifest.encode()).hexdigest(),
            file_count=len(unique_files),
            total_bytes=sum(s.size for s in unique_files.values()) + sum(s.size for _r, _n, s, _c in built),
            changes=changes,
            previous=previous,
        )
