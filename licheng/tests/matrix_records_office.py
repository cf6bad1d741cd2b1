"""Permission-matrix rows for career exploration (``licheng.records``).

No matrix persona belongs to the guidance, internship or continuing-education office: the school
admin holds ``records.manage_career``, everyone else in school A is refused (403); the outsider is
admin of school B, where the objects of school A do not exist (404)."""

from __future__ import annotations

from typing import Any

from licheng.tests.matrix_base import OK, Case, World, who

OFFICE_PAGE = who(403, anonymous=302, school_admin=200, outsider=200)
OFFICE_PAGE_OBJ = who(403, anonymous=302, school_admin=200, outsider=404)
OFFICE_POST_OBJ = who(403, anonymous=302, school_admin=OK, outsider=404)
API_OFFICE = who(403, anonymous=401, school_admin=200, outsider=200)
API_OFFICE_POST = who(403, anonymous=401, school_admin=OK, outsider=OK)

CAREER = lambda w: {"pk": w.extra["records_career_exploration"].pk}  # noqa: E731
OFFICE_RECORD = lambda w: {"pk": w.extra["records_office_record"].pk}  # noqa: E731
OFFICE_KIND = lambda w: {"kind": "certificates"}  # noqa: E731


def _office_payload(w: World) -> dict[str, Any]:
    return {
        "kind": "service_learning",
        "student_number": w.p.student.student_number,
        "fields": {"name": "淨灘", "organisation": "海洋協會", "start": "114.10.01", "end": "114.10.01", "hours": "4"},
    }


def _career_payload(w: World) -> dict[str, Any]:
    return {
        "student_number": w.p.student.student_number,
        "term": "114-2",
        "activity_title": "職涯講座",
        "group_area": "資訊學群",
        "hours": "2",
        "held_on": "115.03.01",
    }


CASES = [
    Case("records:career_exploration", OFFICE_PAGE),
    Case("records:career_exploration_create", OFFICE_PAGE),
    Case("records:career_exploration_edit", OFFICE_PAGE_OBJ, kwargs=CAREER),
    Case("records:career_exploration_export", OFFICE_PAGE),
    Case("records:career_exploration_delete", OFFICE_POST_OBJ, kwargs=CAREER, method="post"),
    Case("records:import_start", OFFICE_PAGE, kwargs=lambda w: {"kind": "career_exploration"}),
    Case("records:import_template", OFFICE_PAGE, kwargs=lambda w: {"kind": "career_exploration"}),
    Case("api-v1:records_career_exploration", API_OFFICE),
    Case("api-v1:records_career_exploration_create", API_OFFICE_POST, method="post", data=_career_payload),
    # Office-entered learning records (performances.record: the offices and the admin).
    Case("records:office_records", OFFICE_PAGE),
    Case("records:office_record_export", OFFICE_PAGE),
    Case("records:office_record_create", OFFICE_PAGE, kwargs=OFFICE_KIND),
    Case("records:office_record_edit", OFFICE_PAGE_OBJ, kwargs=OFFICE_RECORD),
    Case(
        "records:office_record_delete",
        OFFICE_POST_OBJ,
        kwargs=OFFICE_RECORD,
        method="post",
        data=lambda w: {"reason": "誤植"},
    ),
    Case("records:import_start", OFFICE_PAGE, kwargs=OFFICE_KIND),
    Case("records:import_template", OFFICE_PAGE, kwargs=lambda w: {"kind": "flexible_learning"}),
    Case("api-v1:records_office_records", API_OFFICE),
    Case("api-v1:records_office_record_create", API_OFFICE_POST, method="post", data=_office_payload),
    Case(
        "api-v1:records_office_record_delete",
        who(403, anonymous=401, school_admin=204, outsider=404),
        kwargs=lambda w: {"record_id": w.extra["records_office_record"].pk},
        method="delete",
        data=lambda w: {"reason": "誤植"},
    ),
]


def extend(world: World) -> None:
    import datetime

    from licheng.audit.services import Actor
    from licheng.records.models import CareerExploration
    from licheng.records.office_services import office_record_save

    p = world.p
    world.extra["records_career_exploration"] = CareerExploration.objects.create(
        school=p.school,
        student=p.student,
        academic_year=114,
        term=1,
        activity_title="大學參訪",
        group_area="工程學群",
        held_on=datetime.date(2025, 10, 1),
    )
    world.extra["records_office_record"] = office_record_save(
        actor=Actor(user=p.school_admin),
        school=p.school,
        kind="certificates",
        student=p.student,
        fields={"certificate_code": "1100301", "certificate_kind": "2", "date": "2025-11-20"},
    )
