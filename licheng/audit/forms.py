from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from licheng.schools import rocdate


class RocDateField(forms.CharField):
    """A date typed the ROC way (112.02.10, 112/2/10 or 1120210)."""

    def to_python(self, value: str | None) -> datetime.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return rocdate.parse_roc(text)
        except rocdate.RocDateError as exc:
            raise forms.ValidationError(str(exc)) from None


class ActivityFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Person"), required=False, max_length=60, help_text=_("Name or username"))
    date_from = RocDateField(label=_("From"), required=False, help_text=_("e.g. 114.09.01"))
    date_to = RocDateField(label=_("Until"), required=False, help_text=_("e.g. 114.09.30"))

    def __init__(self, *args: object, actions: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from licheng.audit.words import action_label

        choices = sorted(((a, action_label(a)) for a in actions), key=lambda choice: choice[1])
        self.fields["action"].choices = [("", _("All actions")), *choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:  # type: ignore[operator]
            self.add_error("date_to", _("The end date is before the start date."))
        return data
