"""Forms for the school's settings and calendar, and ``RocDateField`` for every app's forms."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from licheng.schools import rocdate
from licheng.schools.models import AcademicYear, Division, Grade, SchoolRules


class RocDateInput(forms.TextInput):
    """A text box that shows a date as ``112.02.10``."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"placeholder": "115.11.01", "inputmode": "decimal", "autocomplete": "off", "size": "10"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return rocdate.format_roc(value)
        return super().format_value(value)


# An ISO date (``2026-11-01``), as a browser's date picker or an API client sends it.
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$", re.ASCII)


class RocDateField(forms.Field):
    """The one date field of every form: typed and shown as an ROC date (``115.11.01``, also
    ``115/11/01``, ``1151101``); an ISO date (``2026-11-01``) is tolerated."""

    widget = RocDateInput
    default_error_messages = {"invalid": _("Enter a date such as 112.02.10.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("Such as 115.11.01"))
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        text = str(value)
        iso = _ISO_DATE.match(text)
        if iso:
            try:
                return datetime.date(*(int(part) for part in iso.groups()))
            except ValueError:
                raise ValidationError(
                    _("“%(text)s” is not a real date; write it like 115.11.01.") % {"text": text.strip()},
                    code="invalid",
                ) from None
        try:
            return rocdate.parse_roc(text)
        except rocdate.RocDateError as error:
            raise ValidationError(str(error), code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        return rocdate.format_roc(value) if isinstance(value, datetime.date) else value

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != initial
        except ValidationError:
            return True


class RulesForm(forms.ModelForm[SchoolRules]):
    class Meta:
        model = SchoolRules
        fields = list(SchoolRules.NUMBER_FIELDS)

    def values(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in SchoolRules.NUMBER_FIELDS}


class RulesOverrideForm(forms.Form):
    academic_year: forms.ModelChoiceField[AcademicYear] = forms.ModelChoiceField(
        queryset=AcademicYear.objects.none(), label=_("academic year")
    )

    def __init__(self, *args: Any, school: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["academic_year"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = AcademicYear.objects.filter(school=school).exclude(schoolrules__isnull=False)


class AcademicYearForm(forms.Form):
    year = forms.IntegerField(label=_("academic year"), min_value=100, max_value=200, help_text=_("e.g. 114"))
    with_terms = forms.BooleanField(
        label=_("Create both terms with the usual dates (1 Aug–31 Jan, 1 Feb–31 Jul)"), required=False, initial=True
    )


_TERM_DATE_LABELS = {
    "starts_on": _("starts on"),
    "ends_on": _("ends on"),
    "upload_opens_on": _("course-outcome upload opens"),
    "upload_closes_on": _("course-outcome upload closes"),
    "certification_opens_on": _("certification opens"),
    "certification_closes_on": _("certification closes"),
    "selection_opens_on": _("selection opens"),
    "selection_closes_on": _("selection closes"),
}


class TermForm(forms.Form):
    academic_year: forms.ModelChoiceField[AcademicYear] = forms.ModelChoiceField(
        queryset=AcademicYear.objects.none(), label=_("academic year")
    )
    number = forms.TypedChoiceField(
        label=_("term"), choices=[(1, _("Term 1")), (2, _("Term 2"))], coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, school: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["academic_year"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = AcademicYear.objects.filter(school=school)
        for name, label in _TERM_DATE_LABELS.items():
            self.fields[name] = RocDateField(label=label, required=name in ("starts_on", "ends_on"))
        if editing:
            del self.fields["academic_year"]
            del self.fields["number"]

    def dates(self) -> dict[str, datetime.date | None]:
        return {name: self.cleaned_data.get(name) for name in _TERM_DATE_LABELS}


class DivisionForm(forms.Form):
    code = forms.IntegerField(label=_("division code"), min_value=1, max_value=7)
    name = forms.CharField(label=_("name"), max_length=40)


class ClassForm(forms.Form):
    academic_year: forms.ModelChoiceField[AcademicYear] = forms.ModelChoiceField(
        queryset=AcademicYear.objects.none(), label=_("academic year")
    )
    division: forms.ModelChoiceField[Division] = forms.ModelChoiceField(
        queryset=Division.objects.none(), label=_("division")
    )
    grade = forms.TypedChoiceField(label=_("grade"), choices=Grade.choices, coerce=int, empty_value=None)
    name = forms.CharField(label=_("class name"), max_length=20)
    homeroom_teacher: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("homeroom teacher"), required=False
    )
    counsellor: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("course counsellor"), required=False
    )

    def __init__(self, *args: Any, school: Any, staff_users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        querysets = {
            "academic_year": AcademicYear.objects.filter(school=school),
            "division": Division.objects.filter(school=school),
            "homeroom_teacher": staff_users,
            "counsellor": staff_users,
        }
        for name, queryset in querysets.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
