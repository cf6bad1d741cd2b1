"""A sealed portfolio (封存) is readable by the roles allowed and changeable by no one.

Every service that changes a student's data (profile, records, course outcomes, performances,
writings, selections, counselling records) calls ``ensure_not_sealed`` first. The lifecycle
capability (``licheng.lifecycle``) seals a student when they graduate or leave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from licheng.core.errors import ServiceError

if TYPE_CHECKING:
    from licheng.people.models import Student


def is_sealed(student: Student) -> bool:
    return student.sealed_at is not None


def ensure_not_sealed(student: Student) -> None:
    """Refuse any change to a sealed student's data, with a message the user understands."""
    if student.sealed_at is not None:
        raise ServiceError(
            _("%(student)s has left the school and their portfolio is sealed: it can be read but not changed.")
            % {"student": student.name}
        )
