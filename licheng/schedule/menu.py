"""Menu entries and home-page sections for work schedule (作業期程), windows, published schedule and iCalendar feeds
(used by ``licheng.core``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, in_school, perm
from licheng.people.roles import OFFICE_ROLES, Role

if TYPE_CHECKING:
    from licheng.core.home import HomeContext, Section

MENU: list[NavEntry] = [
    NavEntry(_("Work schedule"), "schedule:index", perm("schedule.view")),
    NavEntry(_("My deadlines"), "schedule:my_deadlines", in_school),
]

HOME_DEADLINES_LIMIT = 5


def deadlines_section(ctx: HomeContext) -> Section:
    """The next windows that concern the person (still open or not yet open), soonest first."""
    from licheng.core.home import Section
    from licheng.schedule.selectors import work_items_for
    from licheng.schedule.windows import deadlines_for

    if ctx.term is None:
        terms = []
    else:
        from licheng.schools.models import Term

        terms = list(
            Term.objects.filter(school=ctx.school, academic_year_id=ctx.term.academic_year_id)
            .select_related("academic_year")
            .order_by("starts_on")
        )
    rows = [
        r for r in deadlines_for(ctx.user, terms, work_items_for(ctx.user, ctx.school)) if r["ends_on"] >= ctx.today
    ]
    return Section(
        "schedule_deadlines",
        _("Upcoming deadlines"),
        {
            "rows": rows[:HOME_DEADLINES_LIMIT],
            "more": len(rows) > HOME_DEADLINES_LIMIT,
            "today": ctx.today,
            "url": reverse("schedule:my_deadlines"),
        },
    )


# (roles, builder) pairs appended to the home page's sections, in this order.
HOME_SECTIONS: list[tuple[tuple[str, ...], Callable[[HomeContext], Section]]] = [
    ((Role.STUDENT, Role.SUBJECT_TEACHER, *OFFICE_ROLES), deadlines_section),
]
