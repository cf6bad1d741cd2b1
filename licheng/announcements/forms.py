from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from licheng.people.roles import Role
from licheng.schools.forms import RocDateField
from licheng.schools.models import SchoolClass

GRADE_CHOICES = [(10, _("Grade 10")), (11, _("Grade 11")), (12, _("Grade 12"))]


class ClassChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: SchoolClass) -> str:  # type: ignore[override]
        return obj.name


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("announcement", "title"), max_length=120)
    body = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000)
    publish_on = RocDateField(label=_("publish on"))
    expires_on = RocDateField(label=_("expires on"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("To roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    grades = forms.TypedMultipleChoiceField(
        label=_("To grades"), choices=GRADE_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    classes = ClassChoice(
        label=_("To classes"), queryset=SchoolClass.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    send_email = forms.BooleanField(label=_("also send by e-mail"), required=False)

    def __init__(self, *args: Any, school: Any, academic_year: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        classes = SchoolClass.objects.filter(school=school)
        if academic_year is not None:
            classes = classes.filter(academic_year=academic_year)
        self.fields["classes"].queryset = classes.order_by("grade", "name")  # type: ignore[attr-defined]


class HelpRequestForm(forms.Form):
    text = forms.CharField(label=_("What happened?"), widget=forms.Textarea(attrs={"rows": 5}), max_length=2000)
    page = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
