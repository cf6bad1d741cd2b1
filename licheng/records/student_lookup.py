"""Finding the students an uploaded file names, once per file: unknown numbers and sealed students
(封存: graduated or left) become row errors, so an import never changes a sealed portfolio."""

from __future__ import annotations

from django.utils.translation import gettext as _

from licheng.core.spreadsheets import Checked
from licheng.people.models import Student
from licheng.schools.models import School


def sealed_message(number: str) -> str:
    return _("Student %(value)s has left the school; their portfolio is sealed and cannot be changed.") % {
        "value": number
    }


class StudentLookup:
    def __init__(self, school: School) -> None:
        self.by_number: dict[str, int] = {}
        self.sealed: set[int] = set()
        for pk, number, sealed_at in Student.objects.filter(school=school).values_list(
            "pk", "student_number", "sealed_at"
        ):
            self.by_number[number] = pk
            if sealed_at is not None:
                self.sealed.add(pk)

    def resolve(self, number: str | None, line: int, result: Checked, column: str = "student_number") -> int | None:
        """The student's id, or None after adding the row's error (unknown or sealed)."""
        if not number:
            return None
        pk = self.by_number.get(number)
        if pk is None:
            result.add(line, column, _("No student with number %(value)s in this school.") % {"value": number})
            return None
        if pk in self.sealed:
            result.add(line, column, sealed_message(number))
            return None
        return pk


def student_lookup(school: School) -> StudentLookup:
    return StudentLookup(school)
