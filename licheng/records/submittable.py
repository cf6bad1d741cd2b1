"""The one place that says which records may leave the school.

Anything sent to the central database (學生學習歷程資料庫) and any roster (名冊) is built only from
the record types listed here. Everything else — counselling records (課程諮詢紀錄) above all — is
refused by :func:`assert_submittable`, so a submission or roster builder that calls it before
reading a model cannot include them by mistake.
"""

from __future__ import annotations

from django.db import models

SUBMITTABLE_RECORD_TYPES: frozenset[str] = frozenset(
    {
        "people.student",
        "courses.course",
        "courses.enrolment",
        "records.grade",
        "records.cadrerole",
        "portfolio.courseoutcomeversion",
        "performances.performance",
        # Enrolment history: 學籍異動日期 and 學生借讀資料 of the student roster; transfer-in origin of
        # course outcomes (轉學轉科課程學習成果).
        "lifecycle.statuschange",
        "lifecycle.transferin",
    }
)


class NotSubmittable(LookupError):
    """A record type that may not appear in a submission or roster."""


def label_of(model_or_label: type[models.Model] | models.Model | str) -> str:
    if isinstance(model_or_label, str):
        return model_or_label.lower()
    return model_or_label._meta.label_lower


def is_submittable(model_or_label: type[models.Model] | models.Model | str) -> bool:
    return label_of(model_or_label) in SUBMITTABLE_RECORD_TYPES


def assert_submittable(model_or_label: type[models.Model] | models.Model | str) -> str:
    """The model's label when rosters may read it; raises :class:`NotSubmittable` otherwise."""
    label = label_of(model_or_label)
    if label not in SUBMITTABLE_RECORD_TYPES:
        raise NotSubmittable(f"{label} may not be submitted to the central database or put in a roster")
    return label
