from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from licheng.people.roles import OFFICE_ROLES, Role
from licheng.schedule.models import Batch
from licheng.schedule.windows import WORK_ITEM_CHOICES
from licheng.schools.forms import RocDateField
from licheng.schools.models import Grade

OFFICE_CHOICES = [("", _("The work item's usual office"))] + [
    (role.value, role.label) for role in (*OFFICE_ROLES, Role.WORKING_GROUP)
]


class EntryForm(forms.Form):
    work_item = forms.ChoiceField(label=_("work item"), choices=WORK_ITEM_CHOICES)
    grade = forms.TypedChoiceField(
        label=_("grade"),
        choices=[("", _("Every grade")), *Grade.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    batch = forms.TypedChoiceField(
        label=_("batch"),
        choices=[("", _("No batches")), *Batch.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Grade 12 only."),
    )
    office = forms.ChoiceField(label=_("responsible office"), choices=OFFICE_CHOICES, required=False)
    starts_on = RocDateField(label=_("starts on"))
    ends_on = RocDateField(label=_("ends on"))
    self_check_on = RocDateField(label=_("self-check date"), required=False)
    note = forms.CharField(label=pgettext_lazy("schedule", "note"), max_length=200, required=False)

    def __init__(self, *args: Any, fixed_item: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_item:
            self.fields["work_item"].disabled = True


class ExtensionForm(forms.Form):
    person = forms.CharField(
        label=_("student number or username"),
        max_length=150,
        help_text=_("A student's number, or the username of a student or teacher."),
    )
    work_item = forms.ChoiceField(label=_("work item"), choices=WORK_ITEM_CHOICES)
    until = RocDateField(label=_("until"))
    reason = forms.CharField(label=_("reason"), max_length=200)
