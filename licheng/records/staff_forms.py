"""Entry forms for cadre roles, attendance and rewards/penalties. Each turns its cleaned data
into model fields with ``values()``; the student is named by student number."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from licheng.records.career_records import career_form
from licheng.records.forms import _term
from licheng.records.models import AttendanceKind, CadreLevel, RewardPenaltyKind
from licheng.schools.forms import RocDateField


class _StaffRecordForm(forms.Form):
    student_number = forms.CharField(label=_("Student number"), max_length=20)
    term = forms.CharField(label=_("Term"), max_length=12, help_text=_("Such as 112-1"))

    def clean_term(self) -> tuple[int, int]:
        return _term(self.cleaned_data["term"])

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("student_number")
        data["academic_year"], data["term"] = data.pop("term")
        return data

    @classmethod
    def initial_for(cls, obj: Any) -> dict[str, Any]:
        initial = {name: getattr(obj, name, None) for name in cls.base_fields}
        initial["student_number"] = obj.student.student_number
        initial["term"] = obj.term_label
        return initial


class CadreRoleForm(_StaffRecordForm):
    unit = forms.CharField(label=_("Unit"), max_length=60)
    post = forms.CharField(label=_("Post"), max_length=60)
    level = forms.TypedChoiceField(label=_("Cadre level"), choices=CadreLevel.choices, coerce=int)
    starts_on = RocDateField(label=_("Start date"), help_text=_("Such as 112.09.01"))
    ends_on = RocDateField(label=_("End date"), help_text=_("Such as 113.01.20"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end date is before the start date."))
        return data


class AttendanceForm(_StaffRecordForm):
    kind = forms.ChoiceField(label=_("Absence kind"), choices=AttendanceKind.choices)
    periods = forms.IntegerField(label=_("Periods"), min_value=0, max_value=2000)
    occurred_on = RocDateField(label=_("Date"), required=False)


class RewardPenaltyForm(_StaffRecordForm):
    kind = forms.ChoiceField(label=_("Reward or penalty"), choices=RewardPenaltyKind.choices)
    count = forms.IntegerField(label=_("Count"), min_value=1, max_value=99, initial=1)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    decided_on = RocDateField(label=_("Decision date"))


FORMS: dict[str, type[_StaffRecordForm]] = {
    "cadre_roles": CadreRoleForm,
    "attendance": AttendanceForm,
    "rewards_penalties": RewardPenaltyForm,
    "career_exploration": career_form(_StaffRecordForm, RocDateField),  # type: ignore[dict-item]
}
