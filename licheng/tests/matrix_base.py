"""Shared pieces of the permission matrix: the personas, ``Case``, ``who`` and common groups.

Capability modules (``licheng/tests/matrix_<app>.py``) import these to declare their rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

OK = "ok"
PERSONAS = (
    "anonymous",
    "student",
    "homeroom_teacher",
    "subject_teacher",
    "other_teacher",
    "registry",
    "parent",
    "school_admin",
    "outsider",
)


@dataclasses.dataclass
class World:
    """Personas plus the objects routes point at."""

    p: Any  # Personas
    division: Any
    staff: Any
    parent_link: Any
    proxy: Any
    account_import: Any
    applied_import: Any
    token: Any
    override_year: int
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    """Objects that the matrix modules of later capabilities add (``licheng/tests/matrix_*.py``)."""


@dataclasses.dataclass
class Case:
    name: str
    expect: dict[str, int | str]
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    method: str = "get"
    data: Callable[[World], dict[str, Any]] | None = None


def who(default: int | str, **others: int | str) -> dict[str, int | str]:
    """Expected status per persona: ``default`` for everyone, ``others`` where it differs."""
    unknown = set(others) - set(PERSONAS)
    assert not unknown, unknown
    return {persona: others.get(persona, default) for persona in PERSONAS}


# Page groups (anonymous → 302 login).
PAGE_ANY = who(200, anonymous=302)
PAGE_VIEW_SETTINGS = who(200, anonymous=302, student=403, parent=403)
PAGE_MANAGE_SETTINGS = who(403, anonymous=302, school_admin=200, outsider=200)
PAGE_MANAGE_SETTINGS_OBJ = who(403, anonymous=302, school_admin=200, outsider=404)
POST_MANAGE_SETTINGS = who(403, anonymous=302, school_admin=OK, outsider=OK)
POST_MANAGE_SETTINGS_OBJ = who(403, anonymous=302, school_admin=OK, outsider=404)
PAGE_REGISTRY = who(403, anonymous=302, registry=200, school_admin=200, outsider=200)
PAGE_REGISTRY_OBJ = who(403, anonymous=302, registry=200, school_admin=200, outsider=404)
POST_REGISTRY_OBJ = who(403, anonymous=302, registry=OK, school_admin=OK, outsider=404)
# API groups (anonymous → 401).
API_ANY = who(200, anonymous=401)
API_VIEW_SETTINGS = who(200, anonymous=401, student=403, parent=403)
API_MANAGE_SETTINGS = who(403, anonymous=401, school_admin=OK, outsider=OK)
API_MANAGE_ROLES = who(403, anonymous=401, school_admin=OK, outsider=OK)
PUBLIC = who(200)

STUDENT = lambda w: {"pk": w.p.student.pk}  # noqa: E731
COURSE = lambda w: {"pk": w.p.course.pk}  # noqa: E731
IMPORT = lambda w: {"pk": w.account_import.pk}  # noqa: E731
APPLIED_IMPORT = lambda w: {"pk": w.applied_import.pk}  # noqa: E731
RULES = {
    "course_outcomes_per_term": 9,
    "course_outcomes_per_year": 18,
    "course_outcomes_selected": 6,
    "performances_per_year": 30,
    "performances_selected": 10,
    "document_max_mb": 4,
    "media_max_mb": 10,
    "description_max_chars": 100,
    "upload_weeks_after_term": 2,
    "receipt_confirmation_days": 3,
    "graduate_retention_years": 5,
    "leaver_retention_years": 1,
    "working_group_meetings_per_term": 1,
    "working_group_size": 15,
}
