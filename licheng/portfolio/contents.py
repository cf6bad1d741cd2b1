"""One student's whole portfolio read at once: course outcomes (every version), performances,
writings with their reviews and, for the export, the staff-entered records.

Used by the combined student page (guidance, counsellors) and by the personal export. The number of
queries does not grow with the number of items (about a dozen in all with records).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch

from licheng.portfolio import selectors
from licheng.portfolio.models import CourseOutcome

if TYPE_CHECKING:
    from licheng.files.models import StoredFile
    from licheng.people.models import Student
    from licheng.performances.models import Performance, Writing


@dataclasses.dataclass
class TermGroup:
    label: str
    items: list[Any]


@dataclasses.dataclass
class StudentPortfolio:
    student: Student
    outcomes: list[CourseOutcome]
    outcome_terms: list[TermGroup]
    performances: list[Performance]
    performance_years: list[TermGroup]
    writings: list[Writing]
    writing_terms: list[TermGroup]
    records: dict[str, Any] | None = None

    def stored_files(self) -> list[StoredFile]:
        """Every stored file the portfolio refers to, each once, in reading order."""
        seen: dict[int, StoredFile] = {}
        for outcome in self.outcomes:
            for version in outcome.version_list:  # type: ignore[attr-defined]
                for row in version.outcome_files.all():
                    seen.setdefault(row.stored_file_id, row.stored_file)
        for performance in self.performances:
            for row in performance.performance_files.all():
                seen.setdefault(row.stored_file_id, row.stored_file)
        for writing in self.writings:
            if writing.attachment is not None:
                seen.setdefault(writing.attachment_id, writing.attachment)  # type: ignore[arg-type]
        return list(seen.values())


def _group(items: list[Any], label_of: Any) -> list[TermGroup]:
    groups: list[TermGroup] = []
    for item in items:
        label = label_of(item)
        if not groups or groups[-1].label != label:
            groups.append(TermGroup(label, []))
        groups[-1].items.append(item)
    return groups


def student_portfolio(
    student: Student,
    *,
    outcomes: bool = True,
    performances: bool = True,
    records: bool = False,
) -> StudentPortfolio:
    """Read the student's portfolio. ``outcomes``/``performances`` say which parts the reader may
    see (performances covers writings too); ``records`` adds grades and the other staff records."""
    from licheng.performances.kinds import display_fields
    from licheng.performances.models import Writing, WritingReview
    from licheng.performances.selectors import codes_for, performances_of
    from licheng.performances.writings import SECTIONS

    outcome_rows: list[CourseOutcome] = []
    if outcomes:
        # outcomes with course and term; versions (decider, reason); their files; selections
        outcome_rows = list(
            selectors.with_details(
                CourseOutcome.objects.filter(school_id=student.school_id, student=student, withdrawn_at__isnull=True)
            ).order_by("term__starts_on", "course__subject_name", "pk")
        )
        for outcome in outcome_rows:
            outcome.version_list = sorted(outcome.versions.all(), key=lambda v: v.number)  # type: ignore[attr-defined]
            outcome.current = outcome.version_list[-1] if outcome.version_list else None  # type: ignore[attr-defined]
            outcome.certified = selectors.certified_version(outcome)  # type: ignore[attr-defined]
            outcome.selected = bool(list(outcome.selections.all()))  # type: ignore[attr-defined]
    performance_rows: list[Performance] = []
    writing_rows: list[Writing] = []
    if performances:
        # performances with year, selection and files; the code tables for their labels
        performance_rows = list(performances_of(student).order_by("academic_year__year", "kind", "created_at", "pk"))
        codes = codes_for(student.school, active_only=False)
        for performance in performance_rows:
            performance.display = display_fields(performance.kind, performance.fields, codes)  # type: ignore[attr-defined]
            performance.is_selected = hasattr(performance, "selection")  # type: ignore[attr-defined]
        # writings with term and attachment; their reviews with reviewer
        writing_rows = list(
            Writing.objects.filter(school_id=student.school_id, student=student)
            .select_related("term", "term__academic_year", "attachment")
            .prefetch_related(Prefetch("reviews", queryset=WritingReview.objects.select_related("reviewer")))
            .order_by("term__starts_on", "kind", "pk")
        )
        for writing in writing_rows:
            writing.section_rows = [  # type: ignore[attr-defined]
                (str(label), writing.sections.get(key, "")) for key, label in SECTIONS.get(writing.kind, ())
            ]
            writing.review_list = list(writing.reviews.all())  # type: ignore[attr-defined]
    record_data = None
    if records:
        from licheng.records.selectors import student_records, transcript

        record_data = {"transcript": transcript(student), **student_records(student)}
    return StudentPortfolio(
        student=student,
        outcomes=outcome_rows,
        outcome_terms=_group(outcome_rows, lambda o: o.term.label),
        performances=performance_rows,
        performance_years=_group(performance_rows, lambda p: str(p.academic_year.year)),
        writings=writing_rows,
        writing_terms=_group(writing_rows, lambda w: w.term.label),
        records=record_data,
    )
