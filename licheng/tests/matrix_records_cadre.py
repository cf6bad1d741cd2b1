"""Permission-matrix rows for cadre roles, attendance and rewards/penalties (``licheng.records``).

No matrix persona belongs to the activities or discipline section: the school admin holds both
permissions, everyone else in school A is refused (403); the outsider is admin of school B, where
the objects of school A do not exist (404)."""

from __future__ import annotations

from typing import Any

from licheng.tests.matrix_base import OK, Case, World, who

SECTION_PAGE = who(403, anonymous=302, school_admin=200, outsider=200)
SECTION_PAGE_OBJ = who(403, anonymous=302, school_admin=200, outsider=404)
SECTION_POST = who(403, anonymous=302, school_admin=OK, outsider=OK)
SECTION_POST_OBJ = who(403, anonymous=302, school_admin=OK, outsider=404)
API_SECTION = who(403, anonymous=401, school_admin=200, outsider=200)
API_SECTION_POST = who(403, anonymous=401, school_admin=OK, outsider=OK)
# The student, their homeroom teacher, their parent, and the sections (admin) see a student's records.
STUDENT_RECORDS = who(404, anonymous=302, student=200, homeroom_teacher=200, parent=200, registry=200, school_admin=200)

CADRE = lambda w: {"pk": w.extra["records_cadre_role"].pk}  # noqa: E731
ATTENDANCE = lambda w: {"pk": w.extra["records_attendance"].pk}  # noqa: E731
REWARD = lambda w: {"pk": w.extra["records_reward_penalty"].pk}  # noqa: E731
STUDENT = lambda w: {"pk": w.p.student.pk}  # noqa: E731
BATCH = lambda w: {"kind": "attendance", "pk": w.extra["records_attendance_batch"].pk}  # noqa: E731


def _cadre_payload(w: World) -> dict[str, Any]:
    return {
        "student_number": w.p.student.student_number,
        "term": "114-2",
        "unit": "熱音社",
        "post": "社長",
        "level": 3,
        "starts_on": "115.02.01",
        "ends_on": "115.06.30",
    }


def _attendance_payload(w: World) -> dict[str, Any]:
    return {"student_number": w.p.student.student_number, "term": "114-2", "kind": "late", "periods": 1}


def _reward_payload(w: World) -> dict[str, Any]:
    return {
        "student_number": w.p.student.student_number,
        "term": "114-2",
        "kind": "commendation",
        "reason": "整潔",
        "decided_on": "115.03.01",
    }


CASES = [
    Case("records:cadre_roles", SECTION_PAGE),
    Case("records:cadre_role_create", SECTION_PAGE),
    Case("records:cadre_role_edit", SECTION_PAGE_OBJ, kwargs=CADRE),
    Case("records:cadre_role_export", SECTION_PAGE),
    Case("records:cadre_roles_verify", SECTION_POST, method="post"),
    Case("records:cadre_role_delete", SECTION_POST_OBJ, kwargs=CADRE, method="post"),
    Case("records:attendance", SECTION_PAGE),
    Case("records:attendance_create", SECTION_PAGE),
    Case("records:attendance_edit", SECTION_PAGE_OBJ, kwargs=ATTENDANCE),
    Case("records:attendance_export", SECTION_PAGE),
    Case("records:attendance_delete", SECTION_POST_OBJ, kwargs=ATTENDANCE, method="post"),
    Case("records:rewards_penalties", SECTION_PAGE),
    Case("records:reward_penalty_create", SECTION_PAGE),
    Case("records:reward_penalty_edit", SECTION_PAGE_OBJ, kwargs=REWARD),
    Case("records:reward_penalty_export", SECTION_PAGE),
    Case("records:reward_penalty_delete", SECTION_POST_OBJ, kwargs=REWARD, method="post"),
    Case("records:import_start", SECTION_PAGE, kwargs=lambda w: {"kind": "cadre_roles"}),
    Case("records:import_template", SECTION_PAGE, kwargs=lambda w: {"kind": "rewards_penalties"}),
    Case("records:import_detail", SECTION_PAGE_OBJ, kwargs=BATCH),
    Case("records:student_records", STUDENT_RECORDS, kwargs=STUDENT),
    Case("records:my_records", who(404, anonymous=302, student=302)),
    Case("api-v1:records_cadre_roles", API_SECTION),
    Case("api-v1:records_cadre_role_create", API_SECTION_POST, method="post", data=_cadre_payload),
    Case("api-v1:records_attendance", API_SECTION),
    Case("api-v1:records_attendance_create", API_SECTION_POST, method="post", data=_attendance_payload),
    Case("api-v1:records_rewards_penalties", API_SECTION),
    Case("api-v1:records_reward_penalty_create", API_SECTION_POST, method="post", data=_reward_payload),
]


def extend(world: World) -> None:
    import datetime

    from licheng.records.models import AttendanceRecord, CadreRole, ImportBatch, RewardPenalty

    p = world.p
    base = {"school": p.school, "student": p.student, "academic_year": 114, "term": 1}
    world.extra["records_cadre_role"] = CadreRole.objects.create(
        **base,
        unit="101班",
        post="班長",
        level=2,
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 1, 20),
    )
    world.extra["records_attendance"] = AttendanceRecord.objects.create(**base, kind="sick", periods=2)
    world.extra["records_reward_penalty"] = RewardPenalty.objects.create(
        **base, kind="commendation", count=1, reason="志工", decided_on=datetime.date(2025, 10, 1)
    )
    world.extra["records_attendance_batch"] = ImportBatch.objects.create(
        school=p.school,
        record_type="attendance",
        file_name="attendance.xlsx",
        sha256="0" * 64,
        created_by=p.school_admin,
        headers=["student_number", "term", "kind", "periods"],
        rows=[[2, [p.student.student_number, "114-1", "病假", "3"]]],
        row_count=1,
    )
