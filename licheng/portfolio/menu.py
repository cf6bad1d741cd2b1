"""Menu labels and home-page sections for course outcomes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, any_of, in_school, perm, role
from licheng.people.roles import Role

if TYPE_CHECKING:
    from licheng.core.home import HomeContext, Section
    from licheng.schools.models import SchoolRules

LABELS = {
    "my_outcomes": _("My course outcomes"),
    "selection": _("Select course outcomes"),
    "children": _("My children's course outcomes"),
    "queue": _("Certification"),
    "classes": _("Course outcomes by class"),
    "overview": _("Course outcomes overview"),
    "reasons": _("Reasons for not passing"),
    "extensions": _("Window extensions"),
    "notifications": _("Notifications"),
    "exports": _("Export my portfolio"),
}

MENU: list[NavEntry] = [
    NavEntry(LABELS["my_outcomes"], "portfolio:my_outcomes", role(Role.STUDENT)),
    NavEntry(LABELS["exports"], "portfolio:exports", role(Role.STUDENT)),
    NavEntry(LABELS["selection"], "portfolio:selection", role(Role.STUDENT)),
    NavEntry(LABELS["children"], "portfolio:children", role(Role.PARENT)),
    NavEntry(LABELS["queue"], "portfolio:queue", role(Role.SUBJECT_TEACHER)),
    NavEntry(
        LABELS["classes"], "portfolio:class_list", any_of(perm("portfolio.view_all"), role(Role.HOMEROOM_TEACHER))
    ),
    NavEntry(LABELS["overview"], "portfolio:overview", perm("portfolio.view_all")),
    NavEntry(LABELS["reasons"], "portfolio:reasons", perm("portfolio.manage_reasons")),
    NavEntry(LABELS["extensions"], "portfolio:extensions", perm("portfolio.grant_extensions")),
    NavEntry(LABELS["notifications"], "notifications:list", in_school),
]


def home_rules(ctx: HomeContext) -> SchoolRules | None:
    """The rules of the current term's year, read once for every section of the home page."""
    if ctx.term is None:
        return None
    cache: dict[int, SchoolRules] = ctx.__dict__.setdefault("_portfolio_rules", {})
    if ctx.term.academic_year_id not in cache:
        from licheng.schools.selectors import rules_for

        cache[ctx.term.academic_year_id] = rules_for(ctx.school, ctx.term.academic_year)
    return cache[ctx.term.academic_year_id]


def student_home_section(ctx: HomeContext) -> Section:
    """What is due and when, the counters, and each item's state. The student (``ctx.student``) and
    the rules are shared with the other sections; then this term's current versions, uploads this
    year, selections, the window, unread notifications."""
    from licheng.core.home import Section
    from licheng.notifications.selectors import unread_count
    from licheng.portfolio import selectors
    from licheng.portfolio.windows import window_open

    student = ctx.student
    term = ctx.term
    data: dict[str, object] = {
        "term": term,
        "url": reverse("portfolio:my_outcomes"),
        "export_url": reverse("portfolio:exports"),
    }
    if student is not None and term is not None:
        data.update(
            versions=list(selectors.current_versions_of(student, term)),
            counters=selectors.counters_for(student, term, home_rules(ctx)),
            upload_open=window_open("upload", term, ctx.user, ctx.today),
            sealed=student.sealed_at is not None,
        )
    data["unread"] = unread_count(ctx.user, ctx.school)
    return Section("portfolio_student", _("My course outcomes"), data)


def teacher_home_section(ctx: HomeContext) -> Section:
    """How many course outcomes wait for my certification. Three or four queries."""
    from licheng.core.home import Section
    from licheng.portfolio import selectors
    from licheng.portfolio.models import VersionState

    pending = selectors.queue_for(ctx.user, ctx.school, state=VersionState.PENDING).count()
    return Section(
        "portfolio_teacher",
        _("Certification"),
        {"pending": pending, "url": reverse("portfolio:queue"), "term": ctx.term},
    )


# (roles, builder) pairs for the home page: the student's card and the teacher's card (registered
# at their own positions by ``apps.PortfolioConfig.ready``).
STUDENT_HOME_SECTIONS = [((Role.STUDENT,), student_home_section)]
TEACHER_HOME_SECTIONS = [((Role.SUBJECT_TEACHER,), teacher_home_section)]
