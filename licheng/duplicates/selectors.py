"""Duplicate-work hints for the teacher who certifies an item: the same bytes (SHA-256), or a
near-identical picture (perceptual hash of the image or the PDF's first page), uploaded by another
student of the school, or by the same student for another course. Links only to items the viewer
may open (``outcomes_visible_to``, ``performance_visible_to``); certifying stays their decision."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from licheng.duplicates import hashing
from licheng.duplicates.models import ContentHash
from licheng.people.models import User
from licheng.people.selectors import may
from licheng.performances.models import PerformanceFile
from licheng.performances.selectors import performance_visible_to
from licheng.portfolio.models import CourseOutcome, CourseOutcomeFile, CourseOutcomeVersion
from licheng.portfolio.selectors import certifier_map, outcomes_visible_to
from licheng.schools.models import School

# Hamming distance (of 64 bits) up to which two pictures count as near-identical.
NEAR_BITS = 8


@dataclasses.dataclass
class Hint:
    file_name: str
    kind: str  # "same_file" or "similar"
    whose: str  # "other_student" or "same_student"
    text: str
    link: str | None
    distance: int = 0


def may_see_hints(user: User, school: School, outcome: CourseOutcome) -> bool:
    """The teachers who certify the course (and proxies), and staff who see every outcome."""
    return outcome.course_id in certifier_map(user, school) or may(user, school, "portfolio.view_all")


def _outcome_text(other: CourseOutcome, same_student: bool, visible: bool) -> str:
    where = f"{other.course.subject_name}（{other.term.label}）"
    if same_student:
        return _("the same student's course outcome for %(course)s") % {"course": where}
    if visible:
        return _("%(student)s's course outcome for %(course)s") % {"student": other.student.name, "course": where}
    return _("a course outcome of another student of the school (you may not open it)")


def hints_for(user: User, school: School, version: CourseOutcomeVersion) -> list[Hint]:
    outcome = version.outcome
    mine = {row.stored_file.sha256: row.stored_file for row in version.outcome_files.select_related("stored_file")}
    if not mine:
        return []
    visible = set(outcomes_visible_to(user, school).values_list("pk", flat=True))
    hints: list[Hint] = []
    others = (
        CourseOutcomeFile.objects.filter(school=school)
        .exclude(version__outcome=outcome)
        .select_related(
            "stored_file", "version__outcome__student", "version__outcome__course", "version__outcome__term"
        )
    )

    def outcome_hint(row: CourseOutcomeFile, file_name: str, kind: str, distance: int = 0) -> Hint | None:
        other = row.version.outcome
        same_student = other.student_id == outcome.student_id
        if same_student and other.course_id == outcome.course_id:
            return None  # the same course's other outcome: not another course
        link = reverse("portfolio:outcome_detail", args=[other.pk]) if other.pk in visible else None
        return Hint(
            file_name=file_name,
            kind=kind,
            whose="same_student" if same_student else "other_student",
            text=_outcome_text(other, same_student, other.pk in visible),
            link=link,
            distance=distance,
        )

    seen: set[tuple[str, int]] = set()
    for row in others.filter(stored_file__sha256__in=list(mine)):
        key = (row.stored_file.sha256, row.version.outcome_id)
        if key in seen:
            continue
        seen.add(key)
        hint = outcome_hint(row, mine[row.stored_file.sha256].original_name, "same_file")
        if hint is not None:
            hints.append(hint)
    performance_rows = (
        PerformanceFile.objects.filter(school=school, stored_file__sha256__in=list(mine))
        .exclude(performance__student_id=outcome.student_id)
        .select_related("stored_file", "performance__student")
    )
    for prow in performance_rows:
        performance = performance_visible_to(user, school, prow.performance_id)
        hints.append(
            Hint(
                file_name=mine[prow.stored_file.sha256].original_name,
                kind="same_file",
                whose="other_student",
                text=(
                    _("%(student)s's performance record") % {"student": prow.performance.student.name}
                    if performance is not None
                    else _("a performance record of another student of the school (you may not open it)")
                ),
                link=reverse("performances:detail", args=[prow.performance_id]) if performance is not None else None,
            )
        )
    # Near-identical pictures: other outcomes' files whose hash is known (made with each preview).
    my_hashes = hashing.ensure_hashes(list(mine.values()))
    if my_hashes:
        candidates = others.exclude(stored_file__sha256__in=list(mine))
        known = dict(
            ContentHash.objects.filter(sha256__in=candidates.values("stored_file__sha256"), phash__gt="").values_list(
                "sha256", "phash"
            )
        )
        near_seen: set[tuple[str, int]] = set()
        for row in candidates.filter(stored_file__sha256__in=list(known)):
            for sha, value in my_hashes.items():
                distance = hashing.distance(value, known[row.stored_file.sha256])
                key = (sha, row.version.outcome_id)
                if distance <= NEAR_BITS and key not in near_seen:
                    near_seen.add(key)
                    hint = outcome_hint(row, mine[sha].original_name, "similar", distance)
                    if hint is not None:
                        hints.append(hint)
    return hints


def school_counts(school: School) -> dict[str, Any]:
    """For the working group: how many files appear in two students' outcomes, in one student's
    outcomes for two courses, and how many pairs of different files look near-identical."""
    files = CourseOutcomeFile.objects.filter(school=school, version__outcome__withdrawn_at__isnull=True)
    across_students = (
        files.values("stored_file__sha256")
        .annotate(n=Count("version__outcome__student", distinct=True))
        .filter(n__gt=1)
        .count()
    )
    across_courses = (
        files.values("stored_file__sha256", "version__outcome__student")
        .annotate(n=Count("version__outcome__course", distinct=True))
        .filter(n__gt=1)
        .count()
    )
    hashes = [
        int(v, 16)
        for v in ContentHash.objects.filter(sha256__in=files.values("stored_file__sha256"), phash__gt="").values_list(
            "phash", flat=True
        )
    ]
    similar = 0
    for i, a in enumerate(hashes):
        for b in hashes[i + 1 :]:
            if (a ^ b).bit_count() <= NEAR_BITS:
                similar += 1
    return {"same_file_students": across_students, "same_file_courses": across_courses, "similar_pairs": similar}
