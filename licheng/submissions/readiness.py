"""The readiness report (提交前檢查): what would make a roster wrong or incomplete, per roster,
each problem linked to the page where it is fixed. A fixed number of queries, however big the school.

Checks and problems keep their untranslated text and its parameters, so a stored report
(``ReadinessReport``, see ``licheng/submissions/readiness_store.py``) reads in the viewer's language."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from licheng.people.models import Student
from licheng.records.importers import COURSE_CODE
from licheng.schools.models import Term
from licheng.schools.selectors import rules_for
from licheng.submissions import rosters as R

# At most this many problems of one check are listed; the rest are counted.
LIST_LIMIT = 100


@dataclasses.dataclass
class Problem:
    text: str  # untranslated, with %(name)s parameters
    params: dict[str, Any]
    url: str | None

    @property
    def message(self) -> str:
        return gettext(self.text) % self.params


@dataclasses.dataclass
class Check:
    key: str
    title_text: str  # untranslated
    rosters: str
    problems: list[Problem] = dataclasses.field(default_factory=list)
    count: int = 0

    @property
    def title(self) -> str:
        return gettext(self.title_text)

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.problems) < LIST_LIMIT:
            problem.params = {k: v if isinstance(v, int) else str(v) for k, v in problem.params.items()}
            self.problems.append(problem)


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def readiness(school: Any, term: Term) -> list[Check]:
    from licheng.performances.models import Performance
    from licheng.portfolio.models import CourseOutcomeSelection
    from licheng.records.models import CadreRole, CourseCode, Grade

    year = term.academic_year
    rules = rules_for(school, year)
    submitted = Student.objects.filter(school=school, status__in=R.SUBMITTED_STATUSES, sealed_at__isnull=True)
    students = {
        s.pk: s
        for s in submitted.select_related("school_class").only(
            "pk", "name", "student_number", "national_id_cipher", "birth_date", "school_class__name"
        )
    }
    # A subquery, not a list of thousands of primary keys to quote into four queries.
    in_students = submitted.values("pk")
    profile = Check("profile", _("Students without a national ID or birth date"), "1")
    for student in students.values():
        if not student.national_id_cipher or student.birth_date is None:
            profile.add(
                Problem(
                    _("%(student)s has no national ID or birth date."),
                    {"student": student},
                    _url("people:student_edit", student.pk),
                )
            )

    codes = Check("course_codes", _("Invalid course codes"), "2")
    known = set(CourseCode.objects.filter(school=school).values_list("code", flat=True))
    grades = Grade.objects.filter(school=school, academic_year=year.year, term=term.number, student__in=in_students)
    rows = grades.values_list("pk", "student_id", "course_code", "subject_name", "variant")
    for pk, student_pk, code, subject, variant in rows:
        if student_pk not in students:
            continue  # a student added since ``students`` was read
        if not COURSE_CODE.match(code or ""):
            message = _("%(student)s: course code “%(code)s” of %(subject)s is not 23 letters and digits.")
        elif known and code not in known and variant != "transfer":  # 轉學轉科: the previous school's code
            message = _("%(student)s: course code “%(code)s” of %(subject)s is not in the imported course codes.")
        else:
            continue
        codes.add(
            Problem(
                message,
                {"student": students[student_pk], "code": code, "subject": subject},
                _url("records:grade_edit", pk),
            )
        )

    selections = Check("not_certified", _("Selected course outcomes not certified"), "26 28 36 38 76 78")
    descriptions = Check("descriptions", _("Selected items without a description"), "25 26 28 35 36 38 75 76 78")
    caps = Check("caps", _("Selection limits exceeded"), "25 26 28 35 36 38 75 76 78")
    outcome_rows = CourseOutcomeSelection.objects.filter(
        school=school, academic_year=year, student__in=in_students
    ).values_list("student_id", "version__state", "version__description", "version__outcome__course__subject_name")
    outcome_counts: dict[int, int] = defaultdict(int)
    for student_pk, state, description, subject in outcome_rows:
        if student_pk not in students:
            continue  # a student added since ``students`` was read
        student = students[student_pk]
        outcome_counts[student_pk] += 1
        if state != "passed":
            selections.add(
                Problem(
                    _("%(student)s selected a course outcome of %(subject)s that is not certified."),
                    {"student": student, "subject": subject},
                    _url("portfolio:student_outcomes", student_pk),
                )
            )
        if not (description or "").strip():
            descriptions.add(
                Problem(
                    _("%(student)s: the course outcome of %(subject)s has no description."),
                    {"student": student, "subject": subject},
                    _url("portfolio:student_outcomes", student_pk),
                )
            )
    for student_pk, count in outcome_counts.items():
        if count > rules.course_outcomes_selected:
            caps.add(
                Problem(
                    _("%(student)s selected %(count)d course outcomes; at most %(cap)d may be submitted."),
                    {"student": students[student_pk], "count": count, "cap": rules.course_outcomes_selected},
                    _url("portfolio:student_outcomes", student_pk),
                )
            )
    performance_rows = Performance.objects.filter(
        school=school, academic_year=year, student__in=in_students, selection__isnull=False, withdrawn_at=None
    ).values_list("student_id", "description", "kind")
    performance_counts: dict[int, int] = defaultdict(int)
    for student_pk, description, _kind in performance_rows:
        if student_pk not in students:
            continue  # a student added since ``students`` was read
        performance_counts[student_pk] += 1
        if not (description or "").strip():
            descriptions.add(
                Problem(
                    _("%(student)s: a selected performance has no description."),
                    {"student": students[student_pk]},
                    _url("performances:student", student_pk),
                )
            )
    for student_pk, count in performance_counts.items():
        if count > rules.performances_selected:
            caps.add(
                Problem(
                    _("%(student)s selected %(count)d performances; at most %(cap)d may be submitted."),
                    {"student": students[student_pk], "count": count, "cap": rules.performances_selected},
                    _url("performances:student", student_pk),
                )
            )

    cadre = Check("cadre", _("Cadre roles not yet verified"), "24 34 74")
    unverified = (
        CadreRole.objects.filter(school=school, academic_year=year.year, student__in=in_students)
        .values("student_id")
        .annotate(n=Count("pk", filter=Q(verified_at__isnull=True)))
        .filter(n__gt=0)
    )
    for row in unverified:
        if row["student_id"] not in students:
            continue  # a student added since ``students`` was read
        cadre.add(
            Problem(
                _("%(student)s has %(count)d cadre roles not yet verified."),
                {"student": students[row["student_id"]], "count": row["n"]},
                _url("records:cadre_roles"),
            )
        )
    return [profile, codes, selections, caps, descriptions, cadre]


def is_clean(checks: list[Check]) -> bool:
    return all(check.count == 0 for check in checks)
