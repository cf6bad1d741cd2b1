"""Reads for schools and their calendar, narrowed to what a user may see."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

from licheng.core.permissions import has_permission
from licheng.schools.models import AcademicYear, School, SchoolClass, SchoolRules, Term

if TYPE_CHECKING:
    from licheng.people.models import User


def rules_for(school: School, academic_year: AcademicYear | int | None) -> SchoolRules:
    """The rules in force: the year's own rules if it has them, else the standing rules (else the
    national defaults, unsaved)."""
    rows = SchoolRules.objects.filter(school=school).select_related("academic_year")
    if academic_year is None:
        rows = rows.filter(academic_year=None)
    elif isinstance(academic_year, AcademicYear):
        rows = rows.filter(Q(academic_year=None) | Q(academic_year=academic_year))
    else:
        rows = rows.filter(Q(academic_year=None) | Q(academic_year__year=academic_year))
    found = sorted(rows, key=lambda r: r.academic_year_id is None)
    return found[0] if found else SchoolRules(school=school)


def current_term(school: School, today: datetime.date | None = None) -> Term | None:
    """The term containing ``today``; else the most recent one that has started; else None."""
    today = today or timezone.localdate()
    return (
        Term.objects.filter(school=school, starts_on__lte=today)
        .select_related("academic_year")
        .order_by(Case(When(ends_on__gte=today, then=Value(0)), default=Value(1)), "-starts_on")
        .first()
    )


def staff_users(school: School) -> QuerySet[User]:
    """Users who are on the staff of ``school`` (they have a staff profile there)."""
    from licheng.people.models import User

    return User.objects.filter(school=school, staff__school=school, is_active=True).order_by("name", "username")


def academic_years_of(school: School) -> QuerySet[AcademicYear]:
    return AcademicYear.objects.filter(school=school).order_by("-year")


def classes_visible_to(user: User, school: School) -> QuerySet[SchoolClass]:
    """Every class for people who may see the school's settings; otherwise the classes a person is
    homeroom teacher or counsellor of, teaches, studies in, or whose child studies in."""
    classes = SchoolClass.objects.filter(school=school)
    if not user.is_authenticated or user.school_id not in (None, school.pk):
        return classes.none()
    if has_permission(user, school, "school.view_settings"):
        return classes
    mine = (
        Q(homeroom_teacher=user)
        | Q(counsellor=user)
        | Q(courses__course_teachers__teacher=user)
        | Q(students__user=user)
        | Q(students__parent_links__parent=user)
    )
    return classes.filter(pk__in=SchoolClass.objects.filter(school=school).filter(mine).values("pk"))
