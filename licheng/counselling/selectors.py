"""Who sees which counselling records.

A session is seen by the counsellor who recorded it (and their proxies for office entry), the
course counsellors and homeroom teachers of its participants' classes, each participant student,
and whoever holds ``counselling.view_all`` (the guidance office). Parents and everyone else: no
(404). A student sees a group session without the other participants' names: that another student
sought counselling is itself private to them.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from licheng.core.permissions import has_role
from licheng.counselling.models import CounsellingParticipant, CounsellingSession
from licheng.people.models import Duty, Student
from licheng.people.roles import Role
from licheng.people.selectors import may, principals_for

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School


def _member(user: User, school: School | None) -> bool:
    return school is not None and user.is_authenticated and user.school_id == school.pk


def counsellors_for(user: User, school: School) -> list[User]:
    """The counsellors ``user`` records for: themself and those they are an office-entry proxy for."""
    return [user, *principals_for(user, Duty.OFFICE_ENTRY)]


def sessions_visible_to(user: User, school: School | None) -> QuerySet[CounsellingSession]:
    if school is None or not _member(user, school):
        return CounsellingSession.objects.none()
    sessions = CounsellingSession.objects.filter(school=school)
    if may(user, school, "counselling.view_all"):
        return sessions
    principals = principals_for(user, Duty.OFFICE_ENTRY)
    rows = CounsellingParticipant.objects.filter(school=school).filter(
        Q(student__user=user)
        | Q(student__school_class__counsellor=user)
        | Q(student__school_class__homeroom_teacher=user)
        | Q(student__school_class__counsellor__in=principals)
    )
    return sessions.filter(Q(counsellor=user) | Q(counsellor__in=principals) | Q(pk__in=rows.values("session_id")))


def may_list(user: User, school: School | None) -> bool:
    """Staff who have counselling records to look at: counsellors, homeroom teachers, guidance."""
    if school is None or not _member(user, school):
        return False
    return (
        may(user, school, "counselling.view_all")
        or may(user, school, "counselling.manage")
        or has_role(user, school, Role.COURSE_COUNSELLOR, Role.HOMEROOM_TEACHER)
        or principals_for(user, Duty.OFFICE_ENTRY).exists()
    )


def may_record(user: User, school: School | None) -> bool:
    if school is None or not _member(user, school):
        return False
    return bool(may(user, school, "counselling.manage") or recordable_students(user, school).exists())


def recordable_students(user: User, school: School) -> QuerySet[Student]:
    """The students ``user`` may record sessions with: the guidance office any student of the school;
    a course counsellor (or their proxy) the students of the counsellor's classes."""
    students = Student.objects.filter(school=school).select_related("school_class")
    if may(user, school, "counselling.manage"):
        return students
    counsellors = counsellors_for(user, school)
    return students.filter(school_class__counsellor__in=counsellors)


def session_list(
    user: User,
    school: School | None,
    *,
    class_id: int | None = None,
    student_number: str = "",
    kind: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[CounsellingSession]:
    sessions = sessions_visible_to(user, school)
    if class_id is not None:
        sessions = sessions.filter(
            pk__in=CounsellingParticipant.objects.filter(student__school_class_id=class_id).values("session_id")
        )
    if student_number:
        sessions = sessions.filter(
            pk__in=CounsellingParticipant.objects.filter(student__student_number=student_number).values("session_id")
        )
    if kind:
        sessions = sessions.filter(kind=kind)
    if date_from is not None:
        sessions = sessions.filter(held_on__gte=date_from)
    if date_to is not None:
        sessions = sessions.filter(held_on__lte=date_to)
    return with_details(sessions)


def with_details(sessions: QuerySet[CounsellingSession]) -> QuerySet[CounsellingSession]:
    return sessions.select_related("counsellor").prefetch_related(
        Prefetch(
            "participant_rows",
            queryset=CounsellingParticipant.objects.select_related("student__school_class").order_by(
                "student__student_number"
            ),
        ),
        "attachments",
    )


def session_for(user: User, school: School | None, pk: int) -> CounsellingSession:
    """A session ``user`` may see, or 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(with_details(sessions_visible_to(user, school)), pk=pk)


def is_participant_only(user: User, school: School | None, session: CounsellingSession) -> bool:
    """True when ``user`` sees ``session`` only as one of its students (so other names are hidden)."""
    if not has_role(user, school, Role.STUDENT):
        return False
    return any(row.student.user_id == user.pk for row in session.participant_rows.all())


def visible_participants(user: User, school: School | None, session: CounsellingSession) -> list[Student]:
    students = [row.student for row in session.participant_rows.all()]
    if is_participant_only(user, school, session):
        return [s for s in students if s.user_id == user.pk]
    return students
