"""Forms for courses, their teachers and enrolments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from licheng.schools.models import SchoolClass, Term
from licheng.schools.selectors import staff_users


class TermChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.academic_year.year} {obj.name}"


class CourseForm(forms.Form):
    term = TermChoiceField(queryset=Term.objects.none(), label=_("term"))
    course_code = forms.CharField(
        label=_("course code"), max_length=23, help_text=_("23 digits and capital letters, from the course plan")
    )
    credits_per_term = forms.CharField(
        label=_("credits per term"),
        max_length=6,
        required=False,
        help_text=_("6 characters, a digit or A–D (alternating courses) per term, such as 444440"),
    )
    subject_name = forms.CharField(label=_("subject name"), max_length=60)
    credits = forms.IntegerField(label=_("credits"), min_value=0, max_value=30)
    school_class = ClassChoiceField(queryset=SchoolClass.objects.none(), label=_("class"), required=False)
    group_name = forms.CharField(
        label=_("group"), max_length=60, required=False, help_text=_("For elective or mixed groups")
    )
    teachers: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(queryset=None, label=_("teachers"))

    def __init__(self, *args: Any, school: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set("term", Term.objects.filter(school=school).select_related("academic_year"))
        self._set(
            "school_class",
            SchoolClass.objects.filter(school=school)
            .select_related("academic_year")
            .order_by("-academic_year__year", "grade", "name"),
        )
        self._set("teachers", staff_users(school))
        if editing:
            del self.fields["term"]
            del self.fields["teachers"]

    def _set(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset


class TeacherForm(forms.Form):
    teacher: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, label=_("teacher"))

    def __init__(self, *args: Any, school: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["teacher"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = staff_users(school)


class EnrolmentForm(forms.Form):
    student_number = forms.CharField(label=_("student number"), max_length=20)
