"""Reads for credentials, narrowed to what a user may see: whoever may see the course outcome
(``licheng.portfolio.selectors.outcomes_visible_to``) may fetch its credentials."""

from __future__ import annotations

from django.db.models import QuerySet

from licheng.credentials.models import Credential
from licheng.people.models import User
from licheng.portfolio.selectors import certifier_map, outcomes_visible_to
from licheng.schools.models import School


def credentials_visible_to(user: User, school: School) -> QuerySet[Credential]:
    outcomes = outcomes_visible_to(user, school)
    return Credential.objects.filter(school=school, version__outcome__in=outcomes).select_related(
        "version__outcome__course", "version__outcome__term", "school"
    )


def credentials_of_outcome(user: User, school: School, outcome_id: int) -> list[Credential]:
    return list(
        credentials_visible_to(user, school).filter(version__outcome_id=outcome_id).order_by("-version__number")
    )


def may_revoke(user: User, school: School, credential: Credential) -> bool:
    return credential.version.outcome.course_id in certifier_map(user, school)


def credentials_of_student(student_id: int, school: School) -> list[Credential]:
    """For the student's export (the caller already decided the export may be made)."""
    return list(
        Credential.objects.filter(school=school, student_id=student_id)
        .select_related("version__outcome__course", "version__outcome__term")
        .order_by("version__outcome__term__starts_on", "version__outcome_id", "version__number")
    )
