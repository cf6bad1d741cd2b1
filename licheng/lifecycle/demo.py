"""Demo data for the lifecycle: a few graduates of a previous year whose portfolios are sealed, and one
of them under a legal hold. Idempotent: students already there are left as they are."""

from __future__ import annotations

import datetime
import hashlib

from django_scopes import scope

from licheng.audit.services import Actor
from licheng.lifecycle import services
from licheng.lifecycle.models import ChangeKind, LegalHold, StatusChange
from licheng.people import national_id
from licheng.people.models import EnrolmentStatus, RoleGrant, Student
from licheng.people.roles import Role
from licheng.people.services import student_create
from licheng.schools import rocdate
from licheng.schools.models import Division, School

GRADUATES = [("01", "林宜蓁", 2), ("02", "張家豪", 1), ("03", "黃詩涵", 2), ("04", "吳冠廷", 1)]
HOLD_REASON = "校友申訴案處理中（法務室函）"
VISITING_HOST = ("163301", "虛構縣立丙高級中學")


def _national_id(school: School, number: str, sex: int) -> str:
    """A fictional, valid-looking ID that is the same on every run (Z: no real person's area)."""
    digits = int(hashlib.sha256(f"{school.code}-{number}".encode()).hexdigest(), 16) % 10_000_000
    return national_id.with_check_digit(f"Z{sex}{digits:07d}")


def add_demo_data(school: School, *, today: datetime.date) -> None:
    actor = Actor.system()
    year = rocdate.academic_year_of(today) - 1  # last academic year's grade 12
    graduated_on = datetime.date(year + 1912, 6, 20)
    with scope(school=school):
        division = Division.objects.filter(school=school).order_by("code").first()
        if division is None:
            return
        created: list[Student] = []
        for suffix, name, sex in GRADUATES:
            number = f"{year - 2}9{suffix}"
            student = Student.objects.filter(school=school, student_number=number).first()
            if student is None:
                student = student_create(
                    actor=actor,
                    school=school,
                    student_number=number,
                    name=name,
                    national_id=_national_id(school, number, sex),
                    birth_date=datetime.date(year + 1911 - 17, 3 + int(suffix), 10 + int(suffix)),
                    sex=sex,
                    division=division,
                    entry_year=year - 2,
                )
            if student.sealed_at is None:
                services.student_graduate(actor=actor, student=student, effective_on=graduated_on, note="畢業典禮")
            created.append(student)
        held = created[0]
        admin = RoleGrant.objects.filter(school=school, role=Role.SCHOOL_ADMIN).select_related("user").first()
        if admin is not None and not LegalHold.objects.filter(student=held, released_at=None).exists():
            LegalHold.objects.create(school=school, student=held, reason=HOLD_REASON, placed_by=admin.user)
        _visiting_study(school, actor, year + 1)


def _visiting_study(school: School, actor: Actor, current_year: int) -> None:
    """One student of grade 11 studied at a host school (借讀) for two months of last year's second
    term, with the host's codes of the roster's 學生借讀資料; they are back since."""
    if StatusChange.objects.filter(school=school, kind=ChangeKind.VISITING).exists():
        return
    student = (
        Student.objects.filter(
            school=school, entry_year=current_year - 1, status=EnrolmentStatus.ENROLLED, sealed_at__isnull=True
        )
        .order_by("student_number")[3:4]
        .first()
    )
    if student is None:
        return
    starts_on, _ends = rocdate.term_bounds(current_year - 1, 2)
    starts_on = starts_on.replace(month=3, day=1)
    services.student_visiting_start(
        actor=actor,
        student=student,
        host_school_code=VISITING_HOST[0] if school.code != VISITING_HOST[0] else "100999",
        host_school_name=VISITING_HOST[1],
        starts_on=starts_on,
        ends_on=starts_on.replace(month=4, day=30),
        group_code="21",
        programme_code="101",
        visiting_code="A1",
        note="家庭因素，暫至外縣市就讀",
    )
    services.student_visiting_end(
        actor=actor, student=student, effective_on=starts_on.replace(month=5, day=1), note="借讀期滿返校"
    )
