"""Menu entries and home-page sections for self-check (自我檢核) checklists and progress dashboards
(used by ``licheng.core``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, perm, role
from licheng.people.roles import OFFICE_ROLES, Role

if TYPE_CHECKING:
    from licheng.core.home import HomeContext, Section

MENU: list[NavEntry] = [
    NavEntry(_("Progress dashboards"), "progress:dashboard", perm("progress.view")),
    NavEntry(_("Self-check list"), "progress:checklist", perm("progress.view")),
    NavEntry(_("My class: awaiting certification"), "progress:my_class_uncertified", role(Role.HOMEROOM_TEACHER)),
]

HOME_ITEMS_LIMIT = 5


def my_checklist_section(ctx: HomeContext) -> Section:
    """The current term's self-check items of the person's offices not yet done, by due date (one query)."""
    from licheng.core.home import Section
    from licheng.progress.models import ChecklistItem, Status

    offices = [r for r in ctx.roles if r in OFFICE_ROLES or r == Role.WORKING_GROUP]
    items = []
    if ctx.term is not None:
        items = list(
            ChecklistItem.objects.filter(school=ctx.school, term=ctx.term, office__in=offices)
            .exclude(status__in=[Status.DONE, Status.NOT_APPLICABLE])
            .exclude(work_item__in=["upload", "certification", "selection", "entry_registry"])
            .order_by("due_on", "pk")[: HOME_ITEMS_LIMIT + 1]
        )
    return Section(
        "progress_checklist",
        _("Self-check items of your office"),
        {
            "items": items[:HOME_ITEMS_LIMIT],
            "more": len(items) > HOME_ITEMS_LIMIT,
            "today": ctx.today,
            "url": reverse("progress:checklist"),
        },
    )


# (roles, builder) pairs appended to the home page's sections, in this order.
HOME_SECTIONS: list[tuple[tuple[str, ...], Callable[[HomeContext], Section]]] = [
    ((*OFFICE_ROLES, Role.WORKING_GROUP), my_checklist_section),
]
