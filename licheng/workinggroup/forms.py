from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from licheng.schools.forms import RocDateField
from licheng.workinggroup.models import Audience, EvaluationKind, GroupRole, TrainingKind


class MemberForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=60)
    position = forms.CharField(label=_("position"), max_length=60, help_text=_("e.g. 教務主任, 註冊組長, 導師代表"))
    group_role = forms.ChoiceField(label=_("role in the group"), choices=GroupRole.choices)
    duties = forms.CharField(label=_("duties"), max_length=200, required=False)
    joined_on = RocDateField(label=_("joined on"))


class MeetingForm(forms.Form):
    held_on = RocDateField(label=_("date"))
    title = forms.CharField(label=pgettext_lazy("meeting", "title"), max_length=120)
    place = forms.CharField(label=_("place"), max_length=100, required=False)
    attendance = forms.IntegerField(label=_("members present"), min_value=0, max_value=200, required=False)
    agenda = forms.CharField(label=_("agenda"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    minutes = forms.CharField(
        label=_("minutes"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000, required=False
    )
    decisions = forms.CharField(
        label=_("decisions"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False
    )


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=TrainingKind.choices)
    audience = forms.ChoiceField(label=_("audience"), choices=Audience.choices)
    held_on = RocDateField(label=_("date"))
    title = forms.CharField(label=pgettext_lazy("training", "title"), max_length=120)
    attendance_count = forms.IntegerField(label=_("attendance"), min_value=0, max_value=100000)
    attendees = forms.CharField(
        label=_("attendance list"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        required=False,
        help_text=_("One name per line (optional)."),
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class EvaluationForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=EvaluationKind.choices)
    recorded_on = RocDateField(label=_("date"))
    title = forms.CharField(label=pgettext_lazy("evaluation", "title"), max_length=120)
    persons = forms.CharField(
        label=_("persons"), max_length=500, required=False, help_text=_("For award proposals: who, separated by 、")
    )
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    outcome = forms.CharField(label=_("outcome"), max_length=200, required=False)
