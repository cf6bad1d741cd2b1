"""What each role needs to look at now: the sections of the home page.

One function per section; each runs a fixed number of queries however many rows there are, and
returns a ``Section`` for the template ``core/home_<key>.html``. Sections a role has no data for
still appear, with an empty state saying what will show up there.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from licheng.core.permissions import permissions_of, roles_of
from licheng.people.roles import OFFICE_ROLES, Role

if TYPE_CHECKING:
    from licheng.people.models import Student, User
    from licheng.schools.models import School, Term


# Lists on the home page show this many rows, then a count and a link to the full page.
HOME_LIST_LIMIT = 10


@dataclasses.dataclass
class Section:
    key: str
    title: str | Promise
    data: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"core/home_{self.key}.html"


def optional_url(name: str, *args: Any) -> str | None:
    """The URL of a page another part of the system provides, or None while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def current_term(school: School, today: datetime.date | None = None) -> Term | None:
    """The term containing today, else the latest that has started (the schools app decides)."""
    from licheng.schools.selectors import current_term as schools_current_term

    return schools_current_term(school, today or timezone.localdate())


class HomeContext:
    """What the section builders share: the user, school, today and (fetched once) the current term."""

    def __init__(self, user: User, school: School, *, chosen_child_id: int | None = None) -> None:
        self.user = user
        self.school = school
        # The child a parent with several children picked to look at (kept in their session).
        self.chosen_child_id = chosen_child_id
        self.today = timezone.localdate()
        self.roles = roles_of(user, school)
        self.permissions = permissions_of(user, school)
        self._term: Term | None = None
        self._term_loaded = False

    @property
    def term(self) -> Term | None:
        if not self._term_loaded:
            self._term = current_term(self.school, self.today)
            self._term_loaded = True
        return self._term

    @functools.cached_property
    def student(self) -> Student | None:
        """The user's student profile in this school (with school, class and division), fetched once
        for every section that needs it; None for anyone who is not a student here."""
        from licheng.people.models import Student

        if not self.user.is_authenticated or self.user.school_id != self.school.pk:
            return None
        return (
            Student.objects.filter(school=self.school, user=self.user)
            .select_related("school", "school_class", "school_class__academic_year", "division")
            .first()
        )


# ---------------------------------------------------------------- students and parents


def _upload_window(ctx: HomeContext) -> dict[str, Any]:
    """The student's upload window as the schedule answers it (``licheng.schedule.windows``)."""
    from licheng.schedule.windows import person_grade, window_dates

    term, today = ctx.term, ctx.today
    if term is None:
        return {"state": "unset"}
    opens_on, closes_on = window_dates(ctx.school, "upload", term, person_grade(ctx.user, term))
    if opens_on is None or closes_on is None:
        return {"state": "unset"}
    if today < opens_on:
        state = "upcoming"
    elif today <= closes_on:
        state = "open"
    else:
        state = "closed"
    return {"state": state, "opens_on": opens_on, "closes_on": closes_on}


def student_section(ctx: HomeContext) -> Section:
    from licheng.courses.models import Course
    from licheng.people.models import User

    student = ctx.student
    courses: list[Course] = []
    if student is not None and ctx.term is not None:
        courses = list(
            Course.objects.filter(term=ctx.term, enrolments__student=student)
            .select_related("school_class")
            .prefetch_related(Prefetch("teachers", queryset=User.objects.order_by("name")))
            .order_by("subject_name", "pk")
        )
    return Section(
        "student",
        _("My learning portfolio"),
        {"student": student, "courses": courses, "term": ctx.term, "window": _upload_window(ctx)},
    )


def parent_section(ctx: HomeContext) -> Section:
    from licheng.people.models import ParentLink

    links = list(
        ParentLink.objects.filter(school=ctx.school, parent=ctx.user)
        .select_related("student", "student__school_class")
        .order_by("student__name", "pk")
    )
    current = next((link for link in links if link.student_id == ctx.chosen_child_id), links[0] if links else None)
    return Section(
        "parent",
        _("My children"),
        {
            "links": links,
            "current": current,
            "outcomes_url": optional_url("portfolio:children"),
            "children_url": optional_url("parent_children"),
            "redeem_url": optional_url("parent_binding_redeem"),
        },
    )


# ---------------------------------------------------------------- teachers


def teacher_section(ctx: HomeContext) -> Section:
    from licheng.courses.models import Course

    courses: list[Course] = []
    if ctx.term is not None:
        courses = list(
            Course.objects.filter(term=ctx.term, course_teachers__teacher=ctx.user)
            .select_related("school_class")
            .annotate(enrolment_count=Count("enrolments", distinct=True))
            .order_by("subject_name", "pk")
        )
    return Section("teacher", _("My courses this term"), {"courses": courses, "term": ctx.term})


def _classes(ctx: HomeContext, relation: str) -> list[Any]:
    from licheng.people.models import EnrolmentStatus
    from licheng.schools.models import SchoolClass

    classes = SchoolClass.objects.filter(school=ctx.school, **{relation: ctx.user})
    if ctx.term is not None:
        classes = classes.filter(academic_year_id=ctx.term.academic_year_id)
    rows = list(
        classes.annotate(
            student_count=Count("students", filter=Q(students__status=EnrolmentStatus.ENROLLED), distinct=True)
        ).order_by("grade", "name")
    )
    students_url = optional_url("people:student_list")
    for row in rows:
        row.url = f"{students_url}?school_class={row.pk}" if students_url else None  # type: ignore[attr-defined]
    return rows


def homeroom_section(ctx: HomeContext) -> Section:
    return Section(
        "homeroom",
        _("My homeroom class"),
        {
            "classes": _classes(ctx, "homeroom_teacher"),
            "student_list_url": optional_url("people:student_list"),
            "uncertified_url": optional_url("progress:my_class_uncertified"),
        },
    )


def counsellor_section(ctx: HomeContext) -> Section:
    from licheng.counselling.models import CounsellingSession

    records = CounsellingSession.objects.filter(school=ctx.school, counsellor=ctx.user).count()
    return Section(
        "counsellor",
        _("Classes I counsel"),
        {"classes": _classes(ctx, "counsellor"), "records": records, "records_url": optional_url("counselling:list")},
    )


# ---------------------------------------------------------------- offices


def registry_section(ctx: HomeContext) -> Section:
    from licheng.people.models import EnrolmentStatus, Student, User

    by_grade = list(
        Student.objects.filter(school=ctx.school, status=EnrolmentStatus.ENROLLED)
        .values("school_class__grade")
        .annotate(count=Count("id"))
        .order_by("school_class__grade")
    )
    never_logged_in = User.objects.filter(school=ctx.school, is_active=True, last_login__isnull=True).count()
    return Section(
        "registry",
        _("Registry section"),
        {
            "by_grade": by_grade,
            "total": sum(row["count"] for row in by_grade),
            "never_logged_in": never_logged_in,
            "student_list_url": optional_url("people:student_list"),
            "import_url": optional_url("account_import_list") or optional_url("accounts:import_start"),
        },
    )


def office_sections(ctx: HomeContext) -> list[Section]:
    """One section per office the user holds (except the registry, which has its own section): the
    office's published windows this term; "not yet published" only while the term has none."""
    from licheng.schedule.selectors import office_windows

    offices = [office for office in OFFICE_ROLES if office.value in ctx.roles and office != Role.REGISTRY]
    published, windows = office_windows(ctx.term) if offices and ctx.term is not None else (False, {})
    return [
        Section(
            "office",
            office.label,
            {"office": office.value, "published": published, "windows": windows.get(office.value, [])},
        )
        for office in offices
    ]


def admin_section(ctx: HomeContext) -> Section:
    from licheng.people.models import ProxyAssignment
    from licheng.schools.models import SchoolRules

    rules = SchoolRules.objects.filter(school=ctx.school, academic_year=None).first()
    in_effect = ProxyAssignment.objects.filter(school=ctx.school, starts_on__lte=ctx.today, ends_on__gte=ctx.today)
    proxies = list(
        in_effect.select_related("principal", "proxy", "course", "course__school_class").order_by(
            "principal__name", "duty", "order", "pk"
        )[: HOME_LIST_LIMIT + 1]
    )
    proxy_count = len(proxies) if len(proxies) <= HOME_LIST_LIMIT else in_effect.count()
    return Section(
        "admin",
        _("School administration"),
        {
            "term": ctx.term,
            "rules": rules,
            "proxies": proxies[:HOME_LIST_LIMIT],
            "proxy_count": proxy_count,
            "settings_url": optional_url("schools:settings"),
            "roles_url": optional_url("people:role_permissions") if "school.manage_roles" in ctx.permissions else None,
            "proxies_url": optional_url("people:proxy_list") if "proxies.manage" in ctx.permissions else None,
            "audit_url": optional_url("audit:activity") if "audit.view" in ctx.permissions else None,
        },
    )


# ---------------------------------------------------------------- assembling the page

# The core's own sections (registered by ``apps.CoreConfig.ready`` at these positions); every app
# registers its own in ``licheng.core.registry`` (so this module imports no app's menu).
CORE_HOME_SECTIONS: list[tuple[int, tuple[str, ...], Callable[[HomeContext], Section | list[Section]]]] = [
    (10, (Role.STUDENT,), student_section),
    (20, (Role.PARENT,), parent_section),
    (30, (Role.SUBJECT_TEACHER,), teacher_section),
    (40, (Role.HOMEROOM_TEACHER,), homeroom_section),
    (50, (Role.COURSE_COUNSELLOR,), counsellor_section),
    (60, (Role.SCHOOL_ADMIN, Role.WORKING_GROUP), admin_section),
    (70, (Role.REGISTRY,), registry_section),
    (200, tuple(office.value for office in OFFICE_ROLES), office_sections),
]


def sections_for(user: User, school: School, *, chosen_child_id: int | None = None) -> list[Section]:
    """Every registered section the user's roles call for, in order, each once. ``chosen_child_id``:
    the child a parent picked to look at (``parent_child_id`` in their session)."""
    from licheng.core.registry import home_slots

    ctx = HomeContext(user, school, chosen_child_id=chosen_child_id)
    sections: list[Section] = []
    seen: set[tuple[str, str]] = set()
    for slot in home_slots():
        if not ctx.roles & set(slot.roles):
            continue
        built = slot.build(ctx)
        for section in built if isinstance(built, list) else [built]:
            key = (section.key, str(section.data.get("office", "")))
            if key not in seen:
                seen.add(key)
                sections.append(section)
    return sections
