from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path
from typing import Any

import pytest

from licheng.audit.services import Actor
from licheng.counselling import services
from licheng.counselling.models import CounsellingSession
from licheng.people.models import Student, User
from licheng.testing.factories import SchoolClassFactory, StudentFactory, UserFactory, make_staff
from licheng.testing.personas import Personas

SENTINEL = "SENTINEL-諮詢內容-7f3a"


@dataclasses.dataclass
class Cast:
    p: Personas
    counsellor: User
    guidance: User
    classmate: Student
    other_class_student: Student
    other_homeroom: User
    other_counsellor: User


@pytest.fixture
def storage_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "files"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None, "file_permissions_mode": 0o600},
        },
    }
    return root


@pytest.fixture
def cast(personas: Personas, storage_root: Path) -> Cast:
    """Personas have no course counsellor: class 101 gets one here, and a second class another."""
    p = personas
    counsellor = make_staff(p.school, "subject_teacher", "course_counsellor", username="counsellor", name="周諮詢")
    p.school_class.counsellor = counsellor
    p.school_class.save()
    classmate = StudentFactory.create(
        school_class=p.school_class, user=UserFactory.create(school=p.school, username="classmate"), name="林同學"
    )
    other_homeroom = make_staff(p.school, "homeroom_teacher", username="homeroom2", name="吳導師")
    other_counsellor = make_staff(p.school, "course_counsellor", username="counsellor2", name="鄭諮詢")
    other_class = SchoolClassFactory.create(
        school=p.school,
        academic_year=p.school_class.academic_year,
        division=p.school_class.division,
        name="102",
        homeroom_teacher=other_homeroom,
        counsellor=other_counsellor,
    )
    other_class_student = StudentFactory.create(
        school_class=other_class, user=UserFactory.create(school=p.school, username="s102"), name="何同學"
    )
    guidance = make_staff(p.school, "guidance", username="guidance", name="輔導老師")
    return Cast(p, counsellor, guidance, classmate, other_class_student, other_homeroom, other_counsellor)


def add_session(
    cast: Cast,
    *students: Student,
    counsellor: User | None = None,
    content: str = SENTINEL,
    kind: str | None = None,
) -> CounsellingSession:
    students = students or (cast.p.student,)
    return services.counselling_session_create(
        actor=Actor(user=counsellor or cast.counsellor),
        school=cast.p.school,
        counsellor=counsellor or cast.counsellor,
        kind=kind or ("individual" if len(students) == 1 else "group"),
        held_on=datetime.date(2025, 10, 1),
        students=list(students),
        content=content,
        advice="多探索",
        place="輔導室",
    )
