"""A term's worth of submittable data for one student, written straight to the models: used by the
tests, the browser test and the benchmark (not by the running system).

Files are small but real: a one-page PDF and a PNG, stored content-addressed like any upload, with
the student's number inside so every student's files differ.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import io
import os
import tempfile
from typing import Any

from django.utils import timezone

from licheng.files.models import FileKind, StoredFile
from licheng.files.services import store_blob

COURSE_CODE = "114553301H11B0000000000"


def small_pdf(text: str) -> bytes:
    """A valid one-page PDF (a few hundred bytes) that says ``text``."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def small_png(seed: str, size: int = 24) -> bytes:
    from PIL import Image

    digest = hashlib.sha256(seed.encode()).digest()
    image = Image.new("RGB", (size, size), (digest[0], digest[1], digest[2]))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def store_bytes(school: Any, user: Any, name: str, content: bytes, content_type: str) -> StoredFile:
    fd, path = tempfile.mkstemp(prefix="licheng-sample-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        sha256, storage_name, _wrote = store_blob(path)
    finally:
        os.unlink(path)
    return StoredFile.objects.create(
        school=school,
        sha256=sha256,
        size=len(content),
        content_type=content_type,
        kind=FileKind.DOCUMENT,
        original_name=name,
        storage_name=storage_name,
        uploaded_by=user,
    )


def add_student_data(student: Any, term: Any, course: Any, *, verifier: Any, files: bool = True) -> None:
    """One regular and one make-up grade, a verified cadre role, a selected certified course outcome
    and a selected performance (each with a file) for ``student`` in ``term``."""
    from licheng.performances.models import Performance, PerformanceFile, PerformanceSelection
    from licheng.portfolio.models import CourseOutcome, CourseOutcomeFile, CourseOutcomeSelection, CourseOutcomeVersion
    from licheng.records.models import CadreRole, Grade

    school, year = student.school, term.academic_year
    Grade.objects.create(
        school=school,
        student=student,
        academic_year=year.year,
        term=term.number,
        course_code=course.course_code,
        subject_name=course.subject_name,
        grade_level=10,
        credits=course.credits,
        score=decimal.Decimal("86"),
        passed=True,
        credit_counted=1,
        qualitative_description="表現穩定",
    )
    Grade.objects.create(
        school=school,
        student=student,
        academic_year=year.year,
        term=term.number,
        variant="makeup_course",
        course_code="114553301H11B0000000099",
        subject_name="數學",
        grade_level=10,
        credits=2,
        score=decimal.Decimal("62"),
        passed=True,
        credit_counted=1,
        due_academic_year=year.year - 1,
        due_term=2,
        method="暑期補修",
    )
    start = term.starts_on + datetime.timedelta(days=10)
    CadreRole.objects.create(
        school=school,
        student=student,
        academic_year=year.year,
        term=term.number,
        unit="班級",
        post="學藝股長",
        level=2,
        starts_on=start,
        ends_on=term.ends_on,
        verified_at=timezone.now(),
        verified_by=verifier,
    )
    outcome = CourseOutcome.objects.create(school=school, student=student, course=course, term=term, academic_year=year)
    version = CourseOutcomeVersion.objects.create(
        school=school,
        outcome=outcome,
        number=1,
        description=f"{course.subject_name}課程專題報告",
        state="passed",
        decided_at=timezone.now(),
    )
    CourseOutcomeSelection.objects.create(
        school=school, student=student, academic_year=year, outcome=outcome, version=version
    )
    performance = Performance.objects.create(
        school=school,
        student=student,
        academic_year=year,
        kind=8,
        description="校刊封面設計",
        fields={"name": "校刊封面", "date": start.isoformat()},
    )
    PerformanceSelection.objects.create(school=school, student=student, academic_year=year, performance=performance)
    if files:
        pdf = store_bytes(
            school, student.user, "report.pdf", small_pdf(f"Report {student.student_number}"), "application/pdf"
        )
        CourseOutcomeFile.objects.create(school=school, version=version, stored_file=pdf)
        png = store_bytes(school, student.user, "cover.png", small_png(student.student_number), "image/png")
        PerformanceFile.objects.create(school=school, performance=performance, stored_file=png)
