"""Submission benchmark: a full-school submission (3,000 students with their selected files) against
``tar`` of the same files, in the same run.

Run by ``make bench`` (``scripts/bench.sh submission``) against a private PostgreSQL. It makes a
school of 3,000 students (and, to see whether memory grows with size, a school of a quarter of
that), each with term grades, a verified cadre role, a selected certified course outcome (a PDF)
and a selected performance (a PNG); the files are small but real and incompressible like scans
(400 KB on average, ``LICHENG_BENCH_FILE_KB`` to change). Then, each in a fresh process so that its
peak memory is its own:

- ours: build the snapshot (every roster as XLSX, every student's rows, the manifest) and stream
  the package ZIP to disk;
- tar: ``tar -cf`` of the same stored files.

It prints one line: ``submission: ratio=R mb_per_s=M peak_rss_mb=P`` (R = our throughput over
tar's, M = ours, P = our peak RSS for 3,000 students) and, on stderr, the figures for both sizes.
Set ``LICHENG_BENCH_STUDENTS`` for another size.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licheng.settings")
# Stored files go to a folder of the run's own, removed at the end (never the developer's data).
OWN_VAR_DIR = "LICHENG_VAR_DIR" not in os.environ
if OWN_VAR_DIR:
    os.environ["LICHENG_VAR_DIR"] = tempfile.mkdtemp(prefix="licheng-bench-submission-")

STUDENTS = int(os.environ.get("LICHENG_BENCH_STUDENTS", "3000"))
# Mean file size: a scanned page or a phone photo after the upload pipeline, a few hundred KB.
MEAN_FILE_BYTES = int(os.environ.get("LICHENG_BENCH_FILE_KB", "400")) * 1000


def _pdf(seed: int, size: int) -> bytes:
    """A PDF whose page carries ``size`` bytes of incompressible image data, like a scan."""
    from licheng.submissions.sample import small_pdf

    noise = os.urandom(size)
    base = small_pdf(f"Report {seed}")
    return base + b"%" + noise.hex().encode()[:size] + b"\n"


def _png(seed: int, size: int) -> bytes:
    from licheng.submissions.sample import small_png

    return small_png(str(seed)) + os.urandom(size)  # trailing bytes after IEND, as some cameras write


def make_school(code: str, students: int) -> int:
    """A school with ``students`` students and their term data; answers the school's pk."""
    import datetime
    import decimal

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from licheng.courses.models import Course
    from licheng.people import crypto
    from licheng.people.models import RoleGrant, Student, User
    from licheng.performances.models import Performance, PerformanceFile, PerformanceSelection
    from licheng.portfolio.models import (
        CourseOutcome,
        CourseOutcomeFile,
        CourseOutcomeSelection,
        CourseOutcomeVersion,
    )
    from licheng.records.models import CadreRole, Grade
    from licheng.schools.models import Division, SchoolClass
    from licheng.submissions.sample import store_bytes
    from licheng.testing.factories import fictional_national_id, make_school, make_staff, make_term

    with scopes_disabled(), transaction.atomic():
        school = make_school(code, f"基準測試高級中學{code}")
        term = make_term(school, 114, 1)
        registry = make_staff(school, "registry", username=f"registry{code}", name="註冊組長")
        division = Division.objects.filter(school=school).order_by("code").first()
        assert division is not None
        classes = [
            SchoolClass.objects.create(
                school=school,
                academic_year=term.academic_year,
                division=division,
                grade=10 + i % 3,
                name=f"{i + 1:03d}",
            )
            for i in range(max(1, students // 40))
        ]
        course = Course.objects.create(
            school=school,
            term=term,
            course_code="114553301H11B0000000001",
            credits_per_term="444440",
            subject_name="國文",
            credits=4,
            group_name="全年級",
        )
        password = make_password("bench-password")
        users = User.objects.bulk_create(
            User(username=f"s{code}-{n}", name=f"學生{n}", school=school, password=password) for n in range(students)
        )
        rows = []
        for n, user in enumerate(users):
            nid = fictional_national_id(1 + n % 2)
            rows.append(
                Student(
                    school=school,
                    user=user,
                    student_number=f"114{n:05d}",
                    name=user.name,
                    national_id_cipher=crypto.encrypt(nid),
                    national_id_digest=crypto.digest(nid),
                    birth_date=datetime.date(2009, 1 + n % 12, 1 + n % 28),
                    sex=1 + n % 2,
                    division=division,
                    school_class=classes[n % len(classes)],
                    seat=n // len(classes) + 1,
                    entry_year=114,
                )
            )
        people = Student.objects.bulk_create(rows, batch_size=1000)
        RoleGrant.objects.bulk_create(
            (RoleGrant(school=school, user=s.user, role="student") for s in people), batch_size=1000
        )
        year = term.academic_year
        now = timezone.now()
        Grade.objects.bulk_create(
            (
                Grade(
                    school=school,
                    student=s,
                    academic_year=114,
                    term=1,
                    course_code=f"114553301H11B00000000{k:02d}",
                    subject_name=f"科目{k}",
                    grade_level=10,
                    credits=2,
                    score=decimal.Decimal(60 + (n + k) % 40),
                    passed=True,
                    credit_counted=1,
                )
                for n, s in enumerate(people)
                for k in range(8)
            ),
            batch_size=2000,
        )
        CadreRole.objects.bulk_create(
            (
                CadreRole(
                    school=school,
                    student=s,
                    academic_year=114,
                    term=1,
                    unit="班級",
                    post="學藝股長",
                    level=2,
                    starts_on=term.starts_on,
                    ends_on=term.ends_on,
                    verified_at=now,
                    verified_by=registry,
                )
                for s in people
            ),
            batch_size=2000,
        )
        outcomes = CourseOutcome.objects.bulk_create(
            (CourseOutcome(school=school, student=s, course=course, term=term, academic_year=year) for s in people),
            batch_size=2000,
        )
        versions = CourseOutcomeVersion.objects.bulk_create(
            (
                CourseOutcomeVersion(
                    school=school, outcome=o, number=1, description="國文專題報告", state="passed", decided_at=now
                )
                for o in outcomes
            ),
            batch_size=2000,
        )
        CourseOutcomeSelection.objects.bulk_create(
            (
                CourseOutcomeSelection(school=school, student=s, academic_year=year, outcome=o, version=v)
                for s, o, v in zip(people, outcomes, versions, strict=True)
            ),
            batch_size=2000,
        )
        performances = Performance.objects.bulk_create(
            (
                Performance(
                    school=school,
                    student=s,
                    academic_year=year,
                    kind=8,
                    description="校刊封面設計",
                    fields={"name": "校刊封面", "date": "2025-10-01"},
                )
                for s in people
            ),
            batch_size=2000,
        )
        PerformanceSelection.objects.bulk_create(
            (
                PerformanceSelection(school=school, student=s, academic_year=year, performance=p)
                for s, p in zip(people, performances, strict=True)
            ),
            batch_size=2000,
        )
        outcome_files, performance_files = [], []
        for n, (s, v, p) in enumerate(zip(people, versions, performances, strict=True)):
            size = MEAN_FILE_BYTES // 2 + (n * 7919) % MEAN_FILE_BYTES
            pdf = store_bytes(school, s.user, "report.pdf", _pdf(n, size), "application/pdf")
            png = store_bytes(school, s.user, "cover.png", _png(n, size), "image/png")
            outcome_files.append(CourseOutcomeFile(school=school, version=v, stored_file=pdf))
            performance_files.append(PerformanceFile(school=school, performance=p, stored_file=png))
        CourseOutcomeFile.objects.bulk_create(outcome_files, batch_size=2000)
        PerformanceFile.objects.bulk_create(performance_files, batch_size=2000)
        return school.pk


def measure(school_pk: int, out_dir: str) -> dict[str, float]:
    """In a fresh process: build the snapshot and stream the package to disk."""
    from django_scopes import scopes_disabled

    from licheng.people.models import User
    from licheng.schools.models import School, Term
    from licheng.submissions.models import Submission
    from licheng.submissions.package import stream_package
    from licheng.submissions.tasks import build_submission

    with scopes_disabled():
        school = School.objects.get(pk=school_pk)
        term = Term.objects.filter(school=school).first()
        user = User.objects.filter(school=school, username__startswith="registry").first()
        assert term is not None and user is not None
        submission = Submission.objects.create(school=school, term=term, number=1, started_by=user)
    profiler = None
    if os.environ.get("LICHENG_BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    began = time.perf_counter()
    build_submission.call(submission_id=submission.pk)
    built = time.perf_counter() - began
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    with scopes_disabled():
        submission.refresh_from_db()
    assert submission.status == "done", submission.error
    target = Path(out_dir) / "package.zip"
    with open(target, "wb") as handle:
        for chunk in stream_package(submission):
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    seconds = time.perf_counter() - began
    with scopes_disabled():
        from licheng.submissions.models import SubmittedFile

        file_bytes = sum(SubmittedFile.objects.filter(submission=submission).values_list("size", flat=True))
        files = SubmittedFile.objects.filter(submission=submission).count()
    return {
        "seconds": seconds,
        "build_seconds": built,
        "file_bytes": file_bytes,
        "files": files,
        "zip_bytes": target.stat().st_size,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def tar_seconds(school_pk: int, out_dir: str) -> float:
    from django.conf import settings
    from django_scopes import scopes_disabled

    from licheng.submissions.models import SubmittedFile

    with scopes_disabled():
        names = list(
            SubmittedFile.objects.filter(submission__school_id=school_pk).values_list(
                "stored_file__storage_name", flat=True
            )
        )
    listing = Path(out_dir) / "files.txt"
    listing.write_text("\n".join(names) + "\n")
    target = Path(out_dir) / "files.tar"
    began = time.perf_counter()
    command = ["tar", "-cf", str(target), "-C", str(settings.STORAGE_DIR), "-T", str(listing)]
    subprocess.run(command, check=True)  # noqa: S603
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())
    return time.perf_counter() - began


def main() -> int:
    import django

    django.setup()
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        print(json.dumps(measure(int(sys.argv[2]), sys.argv[3])))
        return 0

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results = {}
    for code, students in (("900001", max(1, STUDENTS // 4)), ("900002", STUDENTS)):
        began = time.perf_counter()
        school_pk = make_school(code, students)
        print(f"{students} students made in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="licheng-bench-out-") as out:
            # Stored files leave the page cache once on disk (files.services._make_durable); read
            # them all once, untimed, so that ours and tar both find them in memory.
            tar_seconds(school_pk, out)
            child = subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--measure", str(school_pk), out],
                capture_output=True,
                text=True,
                env=os.environ.copy(),
            )
            if child.returncode != 0 or os.environ.get("LICHENG_BENCH_PROFILE"):
                print(child.stderr, file=sys.stderr)
            if child.returncode != 0:
                return 1
            ours = json.loads(child.stdout.strip().splitlines()[-1])
            tar = tar_seconds(school_pk, out)
        mb = ours["file_bytes"] / 1e6
        ours["mb_per_s"] = mb / ours["seconds"]
        ours["tar_mb_per_s"] = mb / tar
        results[students] = ours
        print(
            f"{students} students: {ours['files']} files, {mb:.0f} MB; ours {ours['seconds']:.2f} s "
            f"(build {ours['build_seconds']:.2f} s) = {ours['mb_per_s']:.1f} MB/s, "
            f"peak RSS {ours['peak_rss_mb']:.0f} MB; "
            f"tar {tar:.2f} s = {ours['tar_mb_per_s']:.1f} MB/s",
            file=sys.stderr,
        )
    full = results[STUDENTS]
    ratio = full["mb_per_s"] / full["tar_mb_per_s"]
    print(f"submission: ratio={ratio:.2f} mb_per_s={full['mb_per_s']:.1f} peak_rss_mb={full['peak_rss_mb']:.0f}")
    return 0


if __name__ == "__main__":
    try:
        code = main()
    finally:
        if OWN_VAR_DIR:
            import shutil

            shutil.rmtree(os.environ["LICHENG_VAR_DIR"], ignore_errors=True)
    sys.exit(code)
