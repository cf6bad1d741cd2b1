from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from licheng.receipts.models import DisputeReason
from licheng.receipts.services import DISPUTE_MAX_CHARS
from licheng.schools.forms import RocDateField
from licheng.schools.models import School, Term


class ImportForm(forms.Form):
    term: forms.ModelChoiceField[Term] = forms.ModelChoiceField(queryset=Term.objects.none(), label=_("term"))
    upload = forms.FileField(label=_("Receipt ZIP"))
    password = forms.CharField(label=_("ZIP password"), widget=forms.PasswordInput(render_value=False), strip=False)
    opens_on = RocDateField(
        label=_("confirmation opens"),
        required=False,
        help_text=_(
            "For every category of the file. Leave empty to use the schedule's window, or to set each "
            "category's window after the import."
        ),
    )
    closes_on = RocDateField(label=_("confirmation closes"), required=False)

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = (  # type: ignore[attr-defined]
            Term.objects.filter(school=school).select_related("academic_year").order_by("-starts_on")
        )


class WindowForm(forms.Form):
    opens_on = RocDateField(label=_("confirmation opens"))
    closes_on = RocDateField(label=_("confirmation closes"))


class DisputeForm(forms.Form):
    reason = forms.ChoiceField(label=_("What kind of problem?"), choices=DisputeReason.choices)
    text = forms.CharField(
        label=_("What is wrong?"),
        label_suffix="",  # a question: no colon after its question mark
        max_length=DISPUTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    reply = forms.CharField(label=_("Answer"), max_length=DISPUTE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2}))
    resubmit = forms.BooleanField(label=_("Fixed; include in the next submission"), required=False)
