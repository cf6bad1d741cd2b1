"""Menu labels and home-page sections for performances and writings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, any_of, perm, role
from licheng.people.roles import Role

if TYPE_CHECKING:
    from licheng.core.home import HomeContext, Section

LABELS = {
    "mine": _("My performances"),
    "selection": _("Select performances"),
    "writings": _("My writings"),
    "classes": _("Performances and writings by class"),
    "codes": _("Performance code tables"),
}

MENU: list[NavEntry] = [
    NavEntry(LABELS["mine"], "performances:mine", role(Role.STUDENT)),
    NavEntry(LABELS["selection"], "performances:selection", role(Role.STUDENT)),
    NavEntry(LABELS["writings"], "performances:writings", role(Role.STUDENT)),
    NavEntry(
        LABELS["classes"],
        "performances:classes",
        any_of(perm("performances.view_all"), role(Role.HOMEROOM_TEACHER, Role.COURSE_COUNSELLOR)),
    ),
    NavEntry(LABELS["codes"], "performances:codes", perm("performances.manage_codes")),
]


def student_home_section(ctx: HomeContext) -> Section:
    """This year's counters, the windows, and whether this term's writings exist. The student
    (``ctx.student``) and the rules are shared with the other sections; here one query for the three
    counts, plus what the windows read."""
    from django.db.models import Count, Q

    from licheng.core.home import Section
    from licheng.people.models import Student
    from licheng.performances import windows
    from licheng.performances.models import Source
    from licheng.portfolio.menu import home_rules
    from licheng.schools.selectors import rules_for

    term = ctx.term
    data: dict[str, object] = {
        "term": term,
        "url": reverse("performances:mine"),
        "selection_url": reverse("performances:selection"),
        "writings_url": reverse("performances:writings"),
    }
    student = ctx.student
    if term is not None and student is not None:
        year_id = term.academic_year_id
        # the three counts in one query (the student row itself comes from ctx.student)
        counts = Student.objects.filter(pk=student.pk).aggregate(
            uploaded=Count(
                "performances",
                filter=Q(
                    performances__academic_year_id=year_id,
                    performances__source=Source.STUDENT,
                    performances__withdrawn_at__isnull=True,
                ),
                distinct=True,
            ),
            selected=Count(
                "performance_selections",
                filter=Q(performance_selections__academic_year_id=year_id),
                distinct=True,
            ),
            written=Count("writings", filter=Q(writings__term=term), distinct=True),
        )
        year = term.academic_year
        rules = home_rules(ctx) or rules_for(ctx.school, year)
        data.update(
            uploaded=counts["uploaded"],
            upload_cap=rules.performances_per_year,
            selected=counts["selected"],
            selection_cap=rules.performances_selected,
            upload_open=windows.upload_open(ctx.school, year, ctx.today),
            selection_open=windows.selection_open(ctx.school, year, ctx.today),
            writings=counts["written"],
        )
    return Section("performances_student", _("My performances"), data)


def parent_home_section(ctx: HomeContext) -> Section:
    """A link to each child's performances and writings (read-only). One query."""
    from licheng.core.home import Section
    from licheng.people.models import ParentLink

    children = [
        {"name": link.student.name, "url": reverse("performances:student", args=[link.student_id])}
        for link in ParentLink.objects.filter(school=ctx.school, parent=ctx.user)
        .select_related("student")
        .order_by("student__name", "pk")
    ]
    return Section("performances_parent", _("My children's performances and writings"), {"children": children})


STUDENT_HOME_SECTIONS = [((Role.STUDENT,), student_home_section)]
PARENT_HOME_SECTIONS = [((Role.PARENT,), parent_home_section)]
