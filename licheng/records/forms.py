"""Forms for grades, uploads and course codes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from licheng.records.importers import COURSE_CODE
from licheng.records.models import CreditCounted, GradeVariant
from licheng.schools import rocdate


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (XLSX or CSV)"))


class CourseCodeUploadForm(forms.Form):
    file = forms.FileField(label=_("Course-code file (TXT)"))


def _term(value: str) -> tuple[int, int]:
    try:
        year, number = rocdate.parse_term(value)
    except rocdate.RocDateError as error:
        raise forms.ValidationError(str(error)) from None
    if number not in (1, 2):
        raise forms.ValidationError(_("“%(text)s” is not a term; write it like 112-1.") % {"text": value})
    return year, number


class GradeForm(forms.Form):
    student_number = forms.CharField(label=_("Student number"), max_length=20)
    term = forms.CharField(label=_("Term"), max_length=12, help_text=_("Such as 112-1"))
    variant = forms.ChoiceField(label=_("Record type"), choices=GradeVariant.choices, initial=GradeVariant.REGULAR)
    course_code = forms.CharField(label=_("Course code"), max_length=23, min_length=23)
    subject_name = forms.CharField(label=_("Subject name"), max_length=60)
    grade_level = forms.IntegerField(label=_("Grade level offered"), min_value=10, max_value=12)
    credits = forms.IntegerField(label=_("Credits"), min_value=0, max_value=30, required=False)
    periods = forms.IntegerField(
        label=_("Periods"), min_value=0, max_value=200, required=False, help_text=_("Continuing education only")
    )
    score = forms.DecimalField(label=_("Term score"), min_value=0, max_value=100, decimal_places=2, required=False)
    passed = forms.NullBooleanField(label=_("Passed"), required=False)
    makeup_score = forms.DecimalField(
        label=_("Make-up exam score"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    makeup_passed = forms.NullBooleanField(label=_("Make-up exam passed"), required=False)
    credit_counted = forms.TypedChoiceField(
        label=_("Credit counted"),
        choices=[("", "—"), *CreditCounted.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    qualitative_description = forms.CharField(
        label=_("Qualitative description"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_term = forms.CharField(label=_("Term due"), max_length=12, required=False, help_text=_("補修 only"))
    method = forms.CharField(label=_("Method"), max_length=40, required=False, help_text=_("補修 and 重修"))
    original_term = forms.CharField(label=_("Original term"), max_length=12, required=False, help_text=_("重修 only"))
    original_course_code = forms.CharField(label=_("Original course code"), max_length=23, required=False)
    original_subject_name = forms.CharField(label=_("Original subject name"), max_length=60, required=False)
    original_grade_level = forms.IntegerField(
        label=_("Original grade level"), min_value=10, max_value=12, required=False
    )
    original_credits = forms.IntegerField(label=_("Original credits"), min_value=0, max_value=30, required=False)
    original_periods = forms.IntegerField(label=_("Original periods"), min_value=0, max_value=200, required=False)
    retake_score = forms.DecimalField(
        label=_("Retake score"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    mapped_term = forms.CharField(label=_("Mapped term"), max_length=12, required=False, help_text=_("轉學轉科 only"))
    mapped_grade_level = forms.IntegerField(label=_("Mapped grade level"), min_value=10, max_value=12, required=False)
    transfer_score = forms.DecimalField(
        label=_("Credit-transfer score"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    retake_passed = forms.NullBooleanField(label=_("Retake passed"), required=False, help_text=_("重修 only"))
    transfer_identity = forms.RegexField(
        label=_("Identity (transfer credit)"),
        regex=r"^[0-9A-Za-z]{1,10}$",
        max_length=10,
        required=False,
        help_text=_("轉學轉科 only (身分別)"),
        error_messages={"invalid": _("Write a code of up to 10 digits or letters.")},
    )
    year_score = forms.DecimalField(
        label=_("Year score"), min_value=0, max_value=100, decimal_places=2, required=False, help_text=_("進修部 only")
    )
    year_passed = forms.NullBooleanField(label=_("Year passed"), required=False, help_text=_("進修部 only"))
    term1_periods = forms.IntegerField(
        label=_("Periods offered in term 1"), min_value=0, max_value=200, required=False, help_text=_("進修部補考 only")
    )
    term2_periods = forms.IntegerField(
        label=_("Periods offered in term 2"), min_value=0, max_value=200, required=False, help_text=_("進修部補考 only")
    )
    second_makeup_score = forms.DecimalField(
        label=_("Second make-up exam score"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
        help_text=_("進修部補考 only"),
    )
    second_makeup_passed = forms.NullBooleanField(label=_("Second make-up exam passed"), required=False)

    def clean_course_code(self) -> str:
        code = self.cleaned_data["course_code"].strip().upper()
        if not COURSE_CODE.match(code):
            raise forms.ValidationError(_("A course code is 23 characters of digits and capital letters."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("term", "due_term", "original_term", "mapped_term"):
            value = data.get(name)
            if value:
                try:
                    data[name] = _term(value)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        periods = [data.get(name) for name in ("periods", "term1_periods", "term2_periods")]
        if data.get("credits") is None and all(p is None for p in periods) and "credits" not in self.errors:
            self.add_error("credits", _("Give the credits (or, for continuing education, the periods)."))
        variant = str(data.get("variant") or "")
        needs: dict[str, list[str]] = {
            GradeVariant.MAKEUP_COURSE: ["due_term"],
            GradeVariant.RETAKE: ["original_term", "original_course_code"],
            GradeVariant.TRANSFER: ["mapped_term"],
        }
        for name in needs.get(variant, []):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("This record type needs this field."))
        return data

    def grade_values(self) -> dict[str, Any]:
        """The cleaned data as ``Grade`` fields."""
        d = dict(self.cleaned_data)
        values: dict[str, Any] = {}
        values["academic_year"], values["term"] = d.pop("term")
        for name, year_field, term_field in (
            ("due_term", "due_academic_year", "due_term"),
            ("original_term", "original_academic_year", "original_term"),
            ("mapped_term", "mapped_academic_year", "mapped_term"),
        ):
            pair = d.pop(name) or (None, None)
            values[year_field], values[term_field] = pair
        d.pop("student_number")
        d["original_course_code"] = (d.get("original_course_code") or "").upper()
        d["transfer_identity"] = (d.get("transfer_identity") or "").upper()
        if d.get("credits") is None:
            d["credits"] = 0
        values.update(d)
        return values

    @classmethod
    def initial_for(cls, grade: Any) -> dict[str, Any]:
        def term_text(year: int | None, number: int | None) -> str:
            return f"{year}-{number}" if year and number else ""

        initial = {name: getattr(grade, name, None) for name in cls.base_fields}
        initial["student_number"] = grade.student.student_number
        initial["term"] = grade.term_label
        initial["due_term"] = term_text(grade.due_academic_year, grade.due_term)
        initial["original_term"] = term_text(grade.original_academic_year, grade.original_term)
        initial["mapped_term"] = term_text(grade.mapped_academic_year, grade.mapped_term)
        return initial
