"""The entry form of an office-entered learning record, built from the kind's columns: code tables
and fixed choices as drop-downs, dates the ROC way, the term as 112-1."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from licheng.core import spreadsheets as sheets
from licheng.performances.kinds import KINDS as PERFORMANCE_KINDS
from licheng.records.forms import _term
from licheng.records.office_records import OfficeKind
from licheng.records.staff_forms import RocDateField
from licheng.schools import rocdate


def office_form(
    spec: OfficeKind, codes: dict[str, dict[str, str]], data: Any = None, initial: Any = None
) -> forms.Form:
    form = forms.Form(data, initial=initial)
    form.fields["student_number"] = forms.CharField(label=_("Student number"), max_length=20)
    if spec.year_field == "term":
        form.fields["term"] = forms.CharField(label=_("Term"), max_length=12, help_text=_("Such as 112-1"))
    specs = {f.key: f for f in PERFORMANCE_KINDS[spec.performance_kind].fields}
    for column in spec.field_columns:
        field = specs.get(column.key)
        required = not column.blank
        label = column.label
        if column.parse is sheets.roc_date:
            form.fields[column.key] = RocDateField(label=label, required=required, help_text=_("Such as 112.09.01"))
        elif field is not None and field.type == "code":
            choices = [("", "—"), *codes.get(field.table, {}).items()]
            form.fields[column.key] = forms.ChoiceField(label=label, choices=choices, required=required)
        elif field is not None and field.type == "choice":
            form.fields[column.key] = forms.ChoiceField(
                label=label, choices=[("", "—"), *field.choices], required=required
            )
        elif field is not None and field.type == "int":
            form.fields[column.key] = forms.IntegerField(label=label, min_value=0, max_value=9999, required=required)
        else:
            form.fields[column.key] = forms.CharField(label=label, max_length=100, required=required)
    form.fields["description"] = forms.CharField(
        label=_("Description"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Left empty: the kind and title."),
    )
    return form


def raw_fields(spec: OfficeKind, cleaned: dict[str, Any]) -> dict[str, Any]:
    """The performance's raw fields from a valid form (the term checked here)."""
    raw: dict[str, Any] = {}
    for column in spec.field_columns:
        value = cleaned.get(column.key)
        raw[column.key] = value.isoformat() if isinstance(value, datetime.date) else value
    if spec.year_field == "term":
        year, number = _term(cleaned["term"])
        raw["year"], raw["term"] = year, str(number)
    return raw


def initial_for(spec: OfficeKind, entry: Any) -> dict[str, Any]:
    fields = entry.performance.fields
    initial: dict[str, Any] = {"student_number": entry.student.student_number}
    for column in spec.field_columns:
        value = fields.get(column.key)
        if value and column.parse is sheets.roc_date:
            value = datetime.date.fromisoformat(value)
        initial[column.key] = value
    if spec.year_field == "term":
        initial["term"] = rocdate.term_label(int(fields["year"]), int(fields["term"]))
    initial["description"] = entry.performance.description
    return initial
