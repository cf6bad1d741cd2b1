"""Permission-matrix rows for ``licheng.records`` (grades, transcripts, imports, course codes)."""

from __future__ import annotations

from typing import Any

from licheng.tests.matrix_base import OK, PAGE_REGISTRY, PAGE_REGISTRY_OBJ, POST_REGISTRY_OBJ, Case, World, who

CODE = "114123456A1101010000000"
GRADE = lambda w: {"pk": w.extra["records_grade"].pk}  # noqa: E731
BATCH = lambda w: {"kind": "grades", "pk": w.extra["records_batch"].pk}  # noqa: E731
STUDENT = lambda w: {"pk": w.p.student.pk}  # noqa: E731
API_STUDENT = lambda w: {"student_id": w.p.student.pk}  # noqa: E731
# The student themself, their homeroom teacher, their parent and the registry see a transcript.
TRANSCRIPT = who(404, anonymous=302, student=200, homeroom_teacher=200, parent=200, registry=200, school_admin=200)
API_TRANSCRIPT = who(404, anonymous=401, student=200, homeroom_teacher=200, parent=200, registry=200, school_admin=200)
API_REGISTRY = who(403, anonymous=401, registry=200, school_admin=200, outsider=200)
API_REGISTRY_POST = who(403, anonymous=401, registry=OK, school_admin=OK, outsider=OK)
ELECTIVE = lambda w: {"pk": w.extra["records_elective_name"].pk}  # noqa: E731
ELECTIVE_KIND = lambda w: {"kind": "elective_names"}  # noqa: E731


def _elective_payload(w: World) -> dict[str, Any]:
    return {"term": "114-2", "course_code": CODE, "name": "程式設計", "category": "diverse", "grade_level": 10}


def _grade_payload(w: World) -> dict[str, Any]:
    return {
        "student_number": w.p.student.student_number,
        "term": "114-2",
        "course_code": CODE,
        "subject_name": "國文",
        "grade_level": 10,
        "credits": 4,
    }


CASES = [
    Case("records:grades", PAGE_REGISTRY),
    Case("records:grade_create", PAGE_REGISTRY),
    Case("records:grade_edit", PAGE_REGISTRY_OBJ, kwargs=GRADE),
    Case("records:grade_delete", POST_REGISTRY_OBJ, kwargs=GRADE, method="post", data=lambda w: {"reason": "誤植"}),
    Case("records:grade_export", PAGE_REGISTRY),
    Case("records:transcript", TRANSCRIPT, kwargs=STUDENT),
    # Only a student has a transcript of their own (sent on to it); anyone else: 404.
    Case("records:my_transcript", who(404, anonymous=302, student=302)),
    Case("records:import_start", PAGE_REGISTRY, kwargs=lambda w: {"kind": "grades"}),
    Case("records:import_template", PAGE_REGISTRY, kwargs=lambda w: {"kind": "grades"}),
    Case("records:import_detail", PAGE_REGISTRY_OBJ, kwargs=BATCH),
    Case("records:import_apply", POST_REGISTRY_OBJ, kwargs=BATCH, method="post"),
    # Office staff list the course codes; the curriculum section (and the admin) imports them.
    Case("records:course_codes", PAGE_REGISTRY),
    Case("records:course_code_export", PAGE_REGISTRY),
    Case("records:course_code_import", who(403, anonymous=302, school_admin=OK, outsider=OK), method="post"),
    Case("api-v1:records_grades", API_REGISTRY),
    Case("api-v1:records_grade_create", API_REGISTRY_POST, method="post", data=_grade_payload),
    Case(
        "api-v1:records_grade_delete",
        who(403, anonymous=401, registry=204, school_admin=204, outsider=404),
        kwargs=lambda w: {"grade_id": w.extra["records_grade"].pk},
        method="delete",
        data=lambda w: {"reason": "誤植"},
    ),
    Case("api-v1:records_transcript", API_TRANSCRIPT, kwargs=API_STUDENT),
    Case("api-v1:records_course_codes", API_REGISTRY),
    # The pre-check roster: whoever sees every grade (registry, curriculum, admin). The outsider's
    # school has no term: the page says so, the API answers 404.
    Case("records:precheck_roster", PAGE_REGISTRY),
    Case("records:precheck_roster_export", PAGE_REGISTRY),
    Case("api-v1:records_precheck_roster", who(403, anonymous=401, registry=OK, school_admin=OK, outsider=404)),
    # Elective course names: listed for those who see the course codes; entered by the
    # curriculum section (no persona) and the admin.
    Case("records:elective_names", PAGE_REGISTRY),
    Case("records:elective_name_export", PAGE_REGISTRY),
    Case("records:elective_name_create", who(403, anonymous=302, school_admin=200, outsider=200)),
    Case("records:elective_name_edit", who(403, anonymous=302, school_admin=200, outsider=404), kwargs=ELECTIVE),
    Case("records:import_start", who(403, anonymous=302, school_admin=200, outsider=200), kwargs=ELECTIVE_KIND),
    Case("records:import_template", who(403, anonymous=302, school_admin=200, outsider=200), kwargs=ELECTIVE_KIND),
    Case("api-v1:records_elective_names", API_REGISTRY),
    Case(
        "api-v1:records_elective_name_create",
        who(403, anonymous=401, school_admin=OK, outsider=OK),
        method="post",
        data=_elective_payload,
    ),
]


def extend(world: World) -> None:
    from licheng.records.models import ElectiveCourseName, Grade, ImportBatch

    p = world.p
    world.extra["records_grade"] = Grade.objects.create(
        school=p.school,
        student=p.student,
        academic_year=114,
        term=1,
        course_code=CODE,
        subject_name="國文",
        grade_level=10,
        credits=4,
    )
    world.extra["records_batch"] = ImportBatch.objects.create(
        school=p.school,
        record_type="grades",
        file_name="grades.xlsx",
        sha256="0" * 64,
        created_by=p.registry,
        headers=["student_number", "term", "course_code", "subject_name", "grade_level", "credits"],
        rows=[[2, [p.student.student_number, "114-2", CODE, "國文", "10", "4"]]],
        row_count=1,
    )
    world.extra["records_elective_name"] = ElectiveCourseName.objects.create(
        school=p.school, academic_year=114, term=1, course_code=CODE, name="多元選修：程式", category="diverse"
    )
