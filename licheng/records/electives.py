"""Elective course names (選修課程名稱): spreadsheet columns, upload check, import writer, the
one-by-one service, export row and entry form. Not student data: no sealing applies."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licheng.audit.services import Actor, record
from licheng.core import spreadsheets as sheets
from licheng.core.errors import ServiceError
from licheng.core.spreadsheets import Checked, Column, Row
from licheng.records.elective_models import ElectiveCategory, ElectiveCourseName
from licheng.schools.models import School

PERMISSION = "records.manage_course_codes"
CATEGORY_NAMES: dict[str, str] = {
    "多元選修": ElectiveCategory.DIVERSE,
    "diverse": ElectiveCategory.DIVERSE,
    "加深加廣選修": ElectiveCategory.ADVANCED,
    "加深加廣": ElectiveCategory.ADVANCED,
    "advanced": ElectiveCategory.ADVANCED,
    "補強性選修": ElectiveCategory.REMEDIAL,
    "補強性": ElectiveCategory.REMEDIAL,
    "remedial": ElectiveCategory.REMEDIAL,
    "其他": ElectiveCategory.OTHER,
    "other": ElectiveCategory.OTHER,
}
CATEGORY_EXPORT = {
    ElectiveCategory.DIVERSE: "多元選修",
    ElectiveCategory.ADVANCED: "加深加廣選修",
    ElectiveCategory.REMEDIAL: "補強性選修",
    ElectiveCategory.OTHER: "其他",
}


def _columns() -> tuple[Column, ...]:
    from licheng.records.importers import course_code, grade_level

    return (
        Column("term", "學年期", gettext_lazy("Term"), parse=sheets.term, aliases=("term", "學期", "學年度學期")),
        Column("course_code", "課程代碼", gettext_lazy("Course code"), parse=course_code, aliases=("course code",)),
        Column(
            "name",
            "選修課程名稱",
            gettext_lazy("Elective course name"),
            parse=sheets.text(60),
            aliases=("name", "課程名稱", "elective name"),
        ),
        Column(
            "category",
            "選修類別",
            gettext_lazy("Elective category"),
            parse=sheets.choice(CATEGORY_NAMES, "多元選修、加深加廣選修、補強性選修、其他"),
            aliases=("category", "類別"),
        ),
        Column(
            "grade_level",
            "開課年級",
            gettext_lazy("Grade level offered"),
            parse=grade_level,
            required=False,
            blank=True,
            aliases=("grade level",),
        ),
    )


def columns() -> tuple[Column, ...]:
    return _columns()


def check(school: School, rows: list[Row], present: list[str]) -> Checked:
    from licheng.records.importers import known_course_codes

    cols = _columns()
    result = sheets.parse_cells(cols, rows, present)
    codes = known_course_codes(school)
    unknown = _("Course code %(value)s is not in this school's course codes; import the course codes first.")
    for row in rows:
        values = result.values[row.line]
        code = values["course_code"]
        if code is not None and code not in codes:
            result.add(row.line, "course_code", unknown % {"value": code})

    def key(row: Row) -> tuple[Any, ...] | None:
        v = result.values[row.line]
        return (v["term"], v["course_code"]) if v["term"] and v["course_code"] else None

    sheets.duplicates(rows, key, result, "course_code", _("Same term and course code as line %(lines)s."))
    result.sort(cols)
    return result


def write(school: School, rows: list[Row], checked: Checked, present: list[str], actor: Actor) -> dict[str, int]:
    values = [checked.values[row.line] for row in rows]
    existing = {(e.academic_year, e.term, e.course_code): e for e in ElectiveCourseName.objects.filter(school=school)}
    from licheng.audit.services import RowChange, diff, snapshot
    from licheng.records.services import ROW_CHANGES

    created: list[ElectiveCourseName] = []
    changed: list[ElectiveCourseName] = []
    row_changes: list[RowChange] = []
    watched = ["name", "category", "grade_level"]
    for v in values:
        year, number = v["term"]
        found = existing.get((year, number, v["course_code"]))
        data = {"name": v["name"], "category": v["category"]}
        if "grade_level" in present:
            data["grade_level"] = v["grade_level"]
        if found is None:
            created.append(
                ElectiveCourseName(
                    school=school,
                    academic_year=year,
                    term=number,
                    course_code=v["course_code"],
                    entered_by=actor.user,
                    **{"grade_level": None, **data},
                )
            )
        elif any(getattr(found, k) != val for k, val in data.items()):
            before = snapshot(found, watched)
            for k, val in data.items():
                setattr(found, k, val)
            changed.append(found)
            row_changes.append(RowChange(found, diff(before, snapshot(found, watched))))
    ElectiveCourseName.objects.bulk_create(created, batch_size=500)
    ElectiveCourseName.objects.bulk_update(changed, ["name", "category", "grade_level", "updated_at"], batch_size=500)
    return {
        "created": len(created),
        "updated": len(changed),
        "unchanged": len(values) - len(created) - len(changed),
        ROW_CHANGES: row_changes,  # type: ignore[dict-item]
    }


def export_row(entry: ElectiveCourseName) -> list[Any]:
    return [
        entry.term_label,
        entry.course_code,
        entry.name,
        CATEGORY_EXPORT.get(ElectiveCategory(entry.category), entry.category),
        entry.grade_level or "",
    ]


def elective_name_save(
    *, actor: Actor, school: School, values: dict[str, Any], entry: ElectiveCourseName | None = None
) -> ElectiveCourseName:
    """Create or change one elective course name; the same term and code twice is refused."""
    from licheng.records.importers import known_course_codes
    from licheng.records.services import _require

    _require(actor, school, PERMISSION)
    if values["course_code"] not in known_course_codes(school):
        raise ServiceError(
            _("Course code %(value)s is not in this school's course codes; import the course codes first.")
            % {"value": values["course_code"]},
            field="course_code",
        )
    with transaction.atomic():
        clash = ElectiveCourseName.objects.filter(
            school=school, academic_year=values["academic_year"], term=values["term"], course_code=values["course_code"]
        )
        if entry is not None:
            clash = clash.exclude(pk=entry.pk)
        if clash.exists():
            raise ServiceError(_("This term already has a name for this course code."), field="course_code")
        action = "records.elective_name_updated" if entry else "records.elective_name_created"
        if entry is None:
            entry = ElectiveCourseName(school=school, entered_by=actor.user)
        for name, value in values.items():
            setattr(entry, name, value)
        entry.save()
        record(actor=actor, school=school, action=action, obj=entry, changes={"course_code": entry.course_code})
    return entry


class ElectiveNameForm(forms.Form):
    term = forms.CharField(label=gettext_lazy("Term"), max_length=12, help_text=gettext_lazy("Such as 112-1"))
    course_code = forms.CharField(label=gettext_lazy("Course code"), max_length=23, min_length=23)
    name = forms.CharField(label=gettext_lazy("Elective course name"), max_length=60)
    category = forms.ChoiceField(label=gettext_lazy("Elective category"), choices=ElectiveCategory.choices)
    grade_level = forms.IntegerField(
        label=gettext_lazy("Grade level offered"), min_value=10, max_value=12, required=False
    )

    def clean_term(self) -> tuple[int, int]:
        from licheng.records.forms import _term

        return _term(self.cleaned_data["term"])

    def clean_course_code(self) -> str:
        from licheng.records.importers import COURSE_CODE

        code = self.cleaned_data["course_code"].strip().upper()
        if not COURSE_CODE.match(code):
            raise forms.ValidationError(_("A course code is 23 characters of digits and capital letters."))
        return code

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["academic_year"], data["term"] = data.pop("term")
        return data

    @staticmethod
    def initial_for(entry: ElectiveCourseName) -> dict[str, Any]:
        return {
            "term": entry.term_label,
            "course_code": entry.course_code,
            "name": entry.name,
            "category": entry.category,
            "grade_level": entry.grade_level,
        }


def record_type() -> Any:
    from licheng.records.importers import RecordType

    return RecordType("elective_names", gettext_lazy("Elective course names"), _columns(), PERMISSION, 5_000, check)
