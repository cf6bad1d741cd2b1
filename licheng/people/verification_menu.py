"""Menu labels for the profile verification pages (kept here so that they live in this app's catalogue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, any_of, perm, role
from licheng.people.roles import Role

if TYPE_CHECKING:
    from licheng.core.home import HomeContext, Section

LABELS = {
    "mine": _("Check my profile"),
    "rounds": _("Profile verification"),
}

MENU: list[NavEntry] = [
    NavEntry(LABELS["mine"], "people:my_profile_check", role(Role.STUDENT)),
    NavEntry(
        LABELS["rounds"],
        "people:verification_rounds",
        any_of(perm("people.manage_students"), role(Role.HOMEROOM_TEACHER)),
    ),
]


def student_home_section(ctx: HomeContext) -> Section:
    """The student's answer in the newest round, with a link to their page. One query (the check
    with its round and term)."""
    from licheng.core.home import Section
    from licheng.people.models import ProfileCheck

    check = (
        ProfileCheck.objects.filter(school=ctx.school, student__user=ctx.user)
        .select_related("round__term__academic_year")
        .order_by("-round__term__academic_year__year", "-round__term__number")
        .first()
    )
    return Section("verification_student", LABELS["mine"], {"check": check, "url": reverse("people:my_profile_check")})


def registry_home_section(ctx: HomeContext) -> Section:
    """The newest round and its counts. One query."""
    from licheng.core.home import Section
    from licheng.people.verification import rounds_of

    return Section(
        "verification_registry",
        LABELS["rounds"],
        {"round": rounds_of(ctx.school).first(), "url": reverse("people:verification_rounds")},
    )


HOME_SECTIONS = [((Role.STUDENT,), student_home_section), ((Role.REGISTRY,), registry_home_section)]
