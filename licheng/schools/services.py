"""State changes for schools and their calendar. Each function: keyword-only arguments, one
transaction, a permission check where a person is acting, and an audit entry."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import NoReturn

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from licheng.audit.services import Actor, diff, record, snapshot
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission
from licheng.people.models import User
from licheng.people.role_services import role_permissions_reset
from licheng.schools import rocdate
from licheng.schools.models import AcademicYear, Division, Grade, School, SchoolClass, SchoolRules, Term
from licheng.schools.selectors import current_term, rules_for, staff_users

__all__ = ["current_term", "rules_for"]  # selectors re-exported for callers that look here

DEFAULT_DIVISIONS = ((1, "日間部"),)


class SchoolError(ServiceError):
    """A change refused for a reason the user can fix; the message is in their language."""


@transaction.atomic
def school_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    divisions: tuple[tuple[int, str], ...] = DEFAULT_DIVISIONS,
) -> School:
    """Open a school on this deployment: its standing rules (national defaults), its divisions and
    the default role permissions. Only deployment operators (or the system) do this."""
    if actor.user is not None and not actor.user.is_superuser:
        raise PermissionDenied("only deployment operators create schools")
    if School.objects.filter(code=code).exists():
        raise SchoolError(_("A school with code %(code)s already exists.") % {"code": code})
    school = School(code=code, name=name)
    school.full_clean()
    school.save()
    SchoolRules.objects.create(school=school)
    Division.objects.bulk_create([Division(school=school, code=c, name=n) for c, n in divisions])
    role_permissions_reset(actor=actor, school=school, audit=False)
    record(actor=actor, school=school, action="school.create", obj=school, changes={"code": code, "name": name})
    return school


# --- helpers -----------------------------------------------------------------------------------


def require_permission(actor: Actor, school: School, permission: str) -> None:
    """People need ``permission`` in ``school``; the system (``Actor.system()``) may always act."""
    if actor.user is None:
        return
    if actor.user.school_id not in (None, school.pk) or not has_permission(actor.user, school, permission):
        raise PermissionDenied(f"{permission} needed")


def _raise_validation(error: ValidationError) -> NoReturn:
    """Turn a model validation error into a ServiceError naming the first field at fault."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        message = " ".join(str(m) for e in errors for m in e.messages)
        raise ServiceError(message, field=None if field == NON_FIELD_ERRORS else field) from None
    raise ServiceError(" ".join(error.messages)) from None


def is_staff_of(user: User | None, school: School) -> bool:
    return user is not None and staff_users(school).filter(pk=user.pk).exists()


# --- rules ---------------------------------------------------------------------------------------


def _check_rules(rules: SchoolRules) -> None:
    try:
        rules.full_clean(exclude=["school", "academic_year"], validate_constraints=False)
    except ValidationError as error:
        _raise_validation(error)
    if rules.course_outcomes_per_year < rules.course_outcomes_per_term:
        raise ServiceError(
            _("The yearly cap on course outcomes cannot be below the cap per term."), field="course_outcomes_per_year"
        )
    for selected, uploaded in (
        ("course_outcomes_selected", "course_outcomes_per_year"),
        ("performances_selected", "performances_per_year"),
    ):
        if getattr(rules, selected) > getattr(rules, uploaded):
            raise ServiceError(_("Students cannot select more items than they may upload."), field=selected)


@transaction.atomic
def rules_update(
    *, actor: Actor, school: School, academic_year: AcademicYear | None = None, values: Mapping[str, int]
) -> SchoolRules:
    """Change the standing rules (``academic_year=None``) or one year's override."""
    require_permission(actor, school, "school.manage_settings")
    unknown = set(values) - set(SchoolRules.NUMBER_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown setting: %(name)s.") % {"name": ", ".join(sorted(unknown))})
    if academic_year is not None and academic_year.school_id != school.pk:
        raise ServiceError(_("That academic year belongs to another school."), field="academic_year")
    rules = SchoolRules.objects.select_for_update().filter(school=school, academic_year=academic_year).first()
    if rules is None:
        if academic_year is None:
            rules = SchoolRules(school=school)
        else:
            raise ServiceError(
                _("Academic year %(year)s has no rules of its own yet.") % {"year": academic_year.year},
                field="academic_year",
            )
    before = snapshot(rules, SchoolRules.NUMBER_FIELDS)
    for name, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ServiceError(_("Enter a whole number of 0 or more."), field=name)
        setattr(rules, name, value)
    _check_rules(rules)
    rules.save()
    record(
        actor=actor,
        school=school,
        action="rules.update",
        obj=rules,
        changes=diff(before, snapshot(rules, SchoolRules.NUMBER_FIELDS)),
    )
    return rules


@transaction.atomic
def rules_override_for_year(*, actor: Actor, school: School, academic_year: AcademicYear) -> SchoolRules:
    """Give one academic year its own rules, starting as a copy of the standing rules."""
    require_permission(actor, school, "school.manage_settings")
    if academic_year.school_id != school.pk:
        raise ServiceError(_("That academic year belongs to another school."), field="academic_year")
    if SchoolRules.objects.filter(school=school, academic_year=academic_year).exists():
        raise ServiceError(
            _("Academic year %(year)s already has its own rules.") % {"year": academic_year.year},
            field="academic_year",
        )
    standing = rules_for(school, None)
    override = SchoolRules(
        school=school,
        academic_year=academic_year,
        **{name: getattr(standing, name) for name in SchoolRules.NUMBER_FIELDS},
    )
    override.save()
    record(
        actor=actor,
        school=school,
        action="rules.override_create",
        obj=override,
        changes={"academic_year": academic_year.year},
    )
    return override


@transaction.atomic
def rules_override_remove(*, actor: Actor, school: School, academic_year: AcademicYear) -> None:
    """Drop a year's own rules: the year follows the standing rules again."""
    require_permission(actor, school, "school.manage_settings")
    override = SchoolRules.objects.filter(school=school, academic_year=academic_year).first()
    if override is None:
        raise ServiceError(_("Academic year %(year)s has no rules of its own.") % {"year": academic_year.year})
    record(
        actor=actor,
        school=school,
        action="rules.override_remove",
        obj=override,
        changes={"academic_year": academic_year.year, **snapshot(override, SchoolRules.NUMBER_FIELDS)},
    )
    override.delete()


# --- calendar ------------------------------------------------------------------------------------


@transaction.atomic
def academic_year_create(*, actor: Actor, school: School, year: int, with_terms: bool = False) -> AcademicYear:
    """Open a 學年度 (ROC year); optionally with both terms on their usual dates."""
    require_permission(actor, school, "school.manage_settings")
    if not isinstance(year, int) or not 100 <= year <= 200:
        raise ServiceError(_("An academic year is an ROC year between 100 and 200, such as 114."), field="year")
    if AcademicYear.objects.filter(school=school, year=year).exists():
        raise ServiceError(_("Academic year %(year)s already exists.") % {"year": year}, field="year")
    academic_year = AcademicYear.objects.create(school=school, year=year)
    record(actor=actor, school=school, action="academic_year.create", obj=academic_year, changes={"year": year})
    if with_terms:
        for number in (1, 2):
            starts_on, ends_on = rocdate.term_bounds(year, number)
            term_create(actor=actor, academic_year=academic_year, number=number, starts_on=starts_on, ends_on=ends_on)
    return academic_year


TERM_WINDOWS = (
    ("upload_opens_on", "upload_closes_on"),
    ("certification_opens_on", "certification_closes_on"),
    ("selection_opens_on", "selection_closes_on"),
)
TERM_DATE_FIELDS = ("starts_on", "ends_on", *(name for pair in TERM_WINDOWS for name in pair))


def _check_term(
    academic_year: AcademicYear, number: int, dates: Mapping[str, datetime.date | None], pk: int | None
) -> None:
    if number not in (1, 2):
        raise ServiceError(_("A term is 1 or 2."), field="number")
    starts_on, ends_on = dates.get("starts_on"), dates.get("ends_on")
    if starts_on is None:
        raise ServiceError(_("Enter the date the term starts."), field="starts_on")
    if ends_on is None:
        raise ServiceError(_("Enter the date the term ends."), field="ends_on")
    first_day, _unused = rocdate.term_bounds(academic_year.year, 1)
    _unused, last_day = rocdate.term_bounds(academic_year.year, 2)
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if not first_day <= day <= last_day:
            raise ServiceError(
                _("Academic year %(year)s runs from %(first)s to %(last)s; %(day)s is outside it.")
                % {
                    "year": academic_year.year,
                    "first": rocdate.format_roc(first_day),
                    "last": rocdate.format_roc(last_day),
                    "day": rocdate.format_roc(day),
                },
                field=name,
            )
    if ends_on <= starts_on:
        raise ServiceError(_("A term must end after it starts."), field="ends_on")
    for opens, closes in TERM_WINDOWS:
        opens_on, closes_on = dates.get(opens), dates.get(closes)
        if opens_on and closes_on and closes_on < opens_on:
            raise ServiceError(_("A window cannot close before it opens."), field=closes)
    others = Term.objects.filter(academic_year=academic_year)
    if pk is not None:
        others = others.exclude(pk=pk)
    if others.filter(number=number).exists():
        raise ServiceError(
            _("Term %(term)s already exists.") % {"term": rocdate.term_label(academic_year.year, number)},
            field="number",
        )
    if others.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).exists():
        raise ServiceError(_("The dates overlap the other term of this academic year."), field="starts_on")


@transaction.atomic
def term_create(
    *,
    actor: Actor,
    academic_year: AcademicYear,
    number: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
    **windows: datetime.date | None,
) -> Term:
    """Add a term to an academic year. ``windows`` are the optional ``*_opens_on`` / ``*_closes_on`` dates."""
    school = academic_year.school
    require_permission(actor, school, "school.manage_settings")
    if set(windows) - set(TERM_DATE_FIELDS[2:]):
        raise TypeError(f"unknown term dates {sorted(set(windows) - set(TERM_DATE_FIELDS[2:]))}")
    dates = {"starts_on": starts_on, "ends_on": ends_on, **windows}
    _check_term(academic_year, number, dates, pk=None)
    term = Term.objects.create(school=school, academic_year=academic_year, number=number, **dates)
    record(
        actor=actor,
        school=school,
        action="term.create",
        obj=term,
        changes={"term": term.label, **snapshot(term, TERM_DATE_FIELDS)},
    )
    return term


@transaction.atomic
def term_update(*, actor: Actor, term: Term, **dates: datetime.date | None) -> Term:
    """Change a term's dates and windows; dates not given keep their value."""
    require_permission(actor, term.school, "school.manage_settings")
    if set(dates) - set(TERM_DATE_FIELDS):
        raise TypeError(f"unknown term dates {sorted(set(dates) - set(TERM_DATE_FIELDS))}")
    before = snapshot(term, TERM_DATE_FIELDS)
    merged = {**{name: getattr(term, name) for name in TERM_DATE_FIELDS}, **dates}
    _check_term(term.academic_year, term.number, merged, pk=term.pk)
    for name, value in merged.items():
        setattr(term, name, value)
    term.save()
    record(
        actor=actor,
        school=term.school,
        action="term.update",
        obj=term,
        changes=diff(before, snapshot(term, TERM_DATE_FIELDS)),
    )
    return term


# --- divisions and classes -------------------------------------------------------------------------


@transaction.atomic
def division_create(*, actor: Actor, school: School, code: int, name: str) -> Division:
    require_permission(actor, school, "school.manage_settings")
    name = (name or "").strip()
    if not isinstance(code, int) or not 1 <= code <= 7:
        raise ServiceError(_("A division code is a number from 1 to 7."), field="code")
    if not name:
        raise ServiceError(_("Enter the division's name."), field="name")
    if Division.objects.filter(school=school, code=code).exists():
        raise ServiceError(_("Division code %(code)s is already used.") % {"code": code}, field="code")
    division = Division.objects.create(school=school, code=code, name=name[:40])
    record(actor=actor, school=school, action="division.create", obj=division, changes={"code": code, "name": name})
    return division


@transaction.atomic
def division_update(*, actor: Actor, division: Division, name: str) -> Division:
    require_permission(actor, division.school, "school.manage_settings")
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Enter the division's name."), field="name")
    before = snapshot(division, ("name",))
    division.name = name[:40]
    division.save(update_fields=["name"])
    record(
        actor=actor,
        school=division.school,
        action="division.update",
        obj=division,
        changes=diff(before, snapshot(division, ("name",))),
    )
    return division


CLASS_FIELDS = ("academic_year", "division", "grade", "name", "homeroom_teacher", "counsellor")


def _check_class(
    school: School,
    *,
    academic_year: AcademicYear,
    division: Division,
    grade: int,
    name: str,
    homeroom_teacher: User | None,
    counsellor: User | None,
    pk: int | None,
) -> None:
    if academic_year.school_id != school.pk:
        raise ServiceError(_("That academic year belongs to another school."), field="academic_year")
    if division.school_id != school.pk:
        raise ServiceError(_("That division belongs to another school."), field="division")
    if grade not in Grade.values:
        raise ServiceError(_("Grade must be 10, 11 or 12."), field="grade")
    if not name:
        raise ServiceError(_("Enter the class name."), field="name")
    if len(name) > 20:
        raise ServiceError(_("A class name is at most 20 characters."), field="name")
    for field, person in (("homeroom_teacher", homeroom_teacher), ("counsellor", counsellor)):
        if person is not None and not is_staff_of(person, school):
            raise ServiceError(_("%(name)s is not on the staff of this school.") % {"name": person}, field=field)
    same_name = SchoolClass.objects.filter(academic_year=academic_year, name=name)
    if pk is not None:
        same_name = same_name.exclude(pk=pk)
    if same_name.exists():
        raise ServiceError(
            _("Academic year %(year)s already has a class named %(name)s.")
            % {"year": academic_year.year, "name": name},
            field="name",
        )


@transaction.atomic
def class_create(
    *,
    actor: Actor,
    school: School,
    academic_year: AcademicYear,
    division: Division,
    grade: int,
    name: str,
    homeroom_teacher: User | None = None,
    counsellor: User | None = None,
) -> SchoolClass:
    require_permission(actor, school, "school.manage_settings")
    name = (name or "").strip()
    values = {
        "academic_year": academic_year,
        "division": division,
        "grade": grade,
        "name": name,
        "homeroom_teacher": homeroom_teacher,
        "counsellor": counsellor,
    }
    _check_class(school, pk=None, **values)  # type: ignore[arg-type]
    school_class = SchoolClass.objects.create(school=school, **values)
    record(
        actor=actor,
        school=school,
        action="class.create",
        obj=school_class,
        changes=snapshot(school_class, CLASS_FIELDS),
    )
    return school_class


@transaction.atomic
def class_update(
    *,
    actor: Actor,
    school_class: SchoolClass,
    division: Division,
    grade: int,
    name: str,
    homeroom_teacher: User | None,
    counsellor: User | None,
) -> SchoolClass:
    """Change a class; it stays in its academic year."""
    school = school_class.school
    require_permission(actor, school, "school.manage_settings")
    name = (name or "").strip()
    values = {
        "division": division,
        "grade": grade,
        "name": name,
        "homeroom_teacher": homeroom_teacher,
        "counsellor": counsellor,
    }
    _check_class(school, academic_year=school_class.academic_year, pk=school_class.pk, **values)  # type: ignore[arg-type]
    before = snapshot(school_class, CLASS_FIELDS)
    for key, value in values.items():
        setattr(school_class, key, value)
    school_class.save()
    record(
        actor=actor,
        school=school,
        action="class.update",
        obj=school_class,
        changes=diff(before, snapshot(school_class, CLASS_FIELDS)),
    )
    return school_class
