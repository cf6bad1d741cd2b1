from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from licheng.progress.models import Section, Status
from licheng.progress.services import ITEM_OFFICES
from licheng.schedule.windows import WORK_ITEM_CHOICES
from licheng.schools.forms import RocDateField


class ItemForm(forms.Form):
    section = forms.ChoiceField(label=_("section"), choices=Section.choices, initial=Section.OTHER)
    title = forms.CharField(label=_("work item"), max_length=200)
    office = forms.ChoiceField(label=_("responsible office"), choices=[(r.value, r.label) for r in ITEM_OFFICES])
    due_on = RocDateField(label=_("due date"))
    work_item = forms.ChoiceField(
        label=_("schedule work item"), choices=[("", _("None")), *WORK_ITEM_CHOICES], required=False
    )
    note = forms.CharField(label=pgettext_lazy("self-check", "note"), max_length=300, required=False)


class TickForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=Status.choices)
    note = forms.CharField(label=pgettext_lazy("self-check", "note"), max_length=300, required=False)
