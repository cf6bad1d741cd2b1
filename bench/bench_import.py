"""Import benchmark: 3,000 students' profiles and 60,000 grade rows from XLSX into the database.

Run by ``make bench`` (``scripts/bench.sh import``) against a private PostgreSQL. It loads a demo
school of 3,000 students, writes a profiles workbook that updates every one of them (name, class,
seat, birth date) and a grades workbook of 60,000 rows, then measures

- the baseline: openpyxl alone reading both files (read-only, every cell), and
- the import: reading, checking (preview) and applying both files through ``licheng.records``,

and prints one line: ``import: ratio=R seconds=S rows_per_s=N`` (R = import time / baseline time).
"""

from __future__ import annotations

import datetime
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licheng.settings")

STUDENTS = 3_000
GRADE_ROWS = 60_000


def _workbook(header: list[str], rows: list[list[object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _openpyxl_read(content: bytes) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    count = 0
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        count += len(row)
    workbook.close()
    return count


def main() -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django_scopes import scope, scopes_disabled

    from licheng.audit.services import Actor
    from licheng.core.demo.plan import school_code
    from licheng.courses.models import Course
    from licheng.people.models import RoleGrant, Student
    from licheng.records import services
    from licheng.records.models import Grade
    from licheng.schools import rocdate
    from licheng.schools.models import School

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("demo_school", students=STUDENTS, stdout=io.StringIO())
    print(f"demo school loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    with scopes_disabled():
        school = School.objects.get(code=school_code(0))
        registry = RoleGrant.objects.filter(school=school, role="registry").select_related("user").first().user  # type: ignore[union-attr]
        students = list(
            Student.objects.filter(school=school, sealed_at__isnull=True)
            .select_related("school_class")
            .order_by("student_number")[:STUDENTS]
        )
        codes = sorted(set(Course.objects.filter(school=school).values_list("course_code", flat=True)))
    assert len(students) == STUDENTS, len(students)
    year = max(s.entry_year for s in students)
    terms = [f"{y}-{t}" for y in (year - 2, year - 1, year) for t in (1, 2)]
    slots = [(term, code) for term in terms for code in codes]
    per_student = GRADE_ROWS // STUDENTS
    assert len(slots) >= per_student, (len(slots), per_student)

    profile_rows: list[list[object]] = []
    for s in students:
        birth = s.birth_date + datetime.timedelta(days=1)
        profile_rows.append(
            [
                s.student_number,
                s.name + "新",
                s.school_class.name if s.school_class else "",
                s.seat or "",
                rocdate.format_roc(birth),
            ]
        )
    profiles = _workbook(["學號", "姓名", "班級", "座號", "出生日期"], profile_rows)
    if any(not row[2] or not row[3] for row in profile_rows):
        profiles = _workbook(["學號", "姓名", "出生日期"], [[r[0], r[1], r[4]] for r in profile_rows])

    grade_rows: list[list[object]] = []
    for index, s in enumerate(students):
        for k in range(per_student):
            term, code = slots[k]
            score = 40 + (index * 7 + k * 13) % 61
            grade_rows.append([s.student_number, term, code, f"科目{k}", 10, 2, score, 1 if score >= 60 else 0])
    grades = _workbook(
        ["學號", "學年期", "課程代碼", "科目名稱", "開課年級", "學分數", "學期成績", "是否及格"], grade_rows
    )

    # Baseline: openpyxl alone reading both files.
    began = time.perf_counter()
    cells = _openpyxl_read(profiles) + _openpyxl_read(grades)
    baseline = time.perf_counter() - began

    with scopes_disabled():
        grades_before = Grade.objects.filter(school=school).count()  # the demo school's own grades
    actor = Actor(user=registry)
    profiler = None
    if os.environ.get("LICHENG_BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    began = time.perf_counter()
    with scope(school=school):
        summaries = {}
        for kind, name, content in (("profiles", "profiles.xlsx", profiles), ("grades", "grades.xlsx", grades)):
            batch = services.import_check(actor=actor, school=school, record_type=kind, file_name=name, content=content)
            if batch.errors:
                print(f"{kind}: {batch.error_count} errors, first: {batch.errors[:3]}", file=sys.stderr)
                return 1
            summaries[kind] = services.import_apply(actor=actor, batch=batch)
    seconds = time.perf_counter() - began
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)

    with scopes_disabled():
        grades_in_db = Grade.objects.filter(school=school).count() - grades_before
    rows = len(profile_rows) + len(grade_rows)
    print(
        f"baseline openpyxl read {baseline:.2f} s ({cells} cells); profiles {summaries['profiles']}, "
        f"grades {summaries['grades']}, {grades_in_db} grades stored (besides the demo's {grades_before})",
        file=sys.stderr,
    )
    if grades_in_db != GRADE_ROWS or summaries["profiles"]["updated"] != STUDENTS:
        print("error: the import did not write what it should", file=sys.stderr)
        return 1
    print(f"import: ratio={seconds / baseline:.2f} seconds={seconds:.2f} rows_per_s={rows / seconds:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
