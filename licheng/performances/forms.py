"""Forms for the pages. They only collect and re-show input: every rule is checked by the services,
so the page and the API refuse the same things with the same messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from licheng.performances.kinds import CodeTable, FieldSpec, spec_for
from licheng.performances.writings import SECTIONS

FIELD_PREFIX = "f_"


def _form_field(spec: FieldSpec, codes: dict[str, dict[str, str]]) -> forms.Field:
    """One form field per kind field: a drop-down for codes and choices, a date picker for dates."""
    if spec.type == "code":
        choices = [("", "—"), *codes.get(spec.table, {}).items()]
        return forms.ChoiceField(label=spec.label, choices=choices, required=False)
    if spec.type == "choice":
        return forms.ChoiceField(label=spec.label, choices=[("", "—"), *spec.choices], required=False)
    if spec.type == "date":
        return forms.CharField(label=spec.label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    if spec.type in ("int", "decimal"):
        return forms.CharField(label=spec.label, required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    return forms.CharField(
        label=spec.label, required=False, widget=forms.TextInput(attrs={"maxlength": spec.max_length})
    )


class PerformanceForm(forms.Form):
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    external_link = forms.CharField(
        label=_("External link (optional)"),
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    def __init__(self, *args: Any, kind: int, codes: dict[str, dict[str, str]], max_chars: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec_for(kind)
        self.fields["description"].widget.attrs["maxlength"] = max_chars
        self.fields["description"].help_text = _("Required, at most %(max)d characters.") % {"max": max_chars}
        for spec in self.spec.fields:
            self.fields[FIELD_PREFIX + spec.key] = _form_field(spec, codes)

    @classmethod
    def initial_from(cls, performance: Any) -> dict[str, Any]:
        initial = {"description": performance.description, "external_link": performance.external_link}
        initial.update({FIELD_PREFIX + key: value for key, value in performance.fields.items()})
        return initial

    def kind_values(self) -> dict[str, Any]:
        return {spec.key: self.cleaned_data.get(FIELD_PREFIX + spec.key, "") for spec in self.spec.fields}

    def kind_fields(self) -> list[tuple[forms.BoundField, FieldSpec]]:
        return [(self[FIELD_PREFIX + spec.key], spec) for spec in self.spec.fields]

    def field_name(self, key: str) -> str:
        return FIELD_PREFIX + key if FIELD_PREFIX + key in self.fields else key


class WritingForm(forms.Form):
    remove_attachment = forms.BooleanField(label=_("Remove the attachment"), required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section_keys = [key for key, _label in SECTIONS[kind]]
        for key, label in SECTIONS[kind]:
            self.fields[key] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 8, "data-rich-text": "1", "aria-describedby": "writing-help"}),
            )

    def sections(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in self.section_keys}

    def section_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in self.section_keys]


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    checked = forms.BooleanField(label=_("Checked"), required=False)


class CodeForm(forms.Form):
    table = forms.ChoiceField(label=_("Code table"), choices=CodeTable.choices)
    code = forms.CharField(label=_("Code"), max_length=10)
    label = forms.CharField(label=_("Label"), max_length=60)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)
