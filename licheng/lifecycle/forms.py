"""Forms for status changes, transfer-in uploads and legal holds. They parse input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from licheng.lifecycle.models import ChangeKind
from licheng.schools.forms import RocDateField
from licheng.schools.models import Grade, SchoolClass


class StatusChangeForm(forms.Form):
    """The fields of every kind of change; ``FIELDS`` says which ones a kind shows."""

    effective_on = RocDateField(label=_("date"), required=False)
    other_school_code = forms.CharField(label=_("other school code"), max_length=6, required=False)
    other_school_name = forms.CharField(label=_("other school name"), max_length=100, required=False)
    starts_on = RocDateField(label=_("from"), required=False)
    ends_on = RocDateField(label=_("until"), required=False)
    # 學生借讀資料: the host school's group, programme and visiting-study code.
    visiting_group_code = forms.CharField(label=_("host group code"), max_length=4, required=False)
    visiting_programme_code = forms.CharField(label=_("host programme code"), max_length=6, required=False)
    visiting_code = forms.CharField(label=_("visiting-study code"), max_length=10, required=False)
    repeated_year = forms.IntegerField(label=_("academic year repeated"), required=False, min_value=1, max_value=999)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    FIELDS: dict[str, tuple[str, ...]] = {
        ChangeKind.TRANSFER_OUT: ("effective_on", "other_school_code", "other_school_name", "note"),
        ChangeKind.REPEAT: ("effective_on", "repeated_year", "note"),
        ChangeKind.SUSPEND: ("effective_on", "note"),
        ChangeKind.RESUME: ("effective_on", "note"),
        ChangeKind.VISITING: (
            "other_school_code",
            "other_school_name",
            "visiting_group_code",
            "visiting_programme_code",
            "visiting_code",
            "starts_on",
            "ends_on",
            "note",
        ),
        ChangeKind.VISITING_END: ("effective_on", "note"),
        ChangeKind.LEAVE: ("effective_on", "note"),
        ChangeKind.GRADUATE: ("effective_on", "note"),
    }

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in list(self.fields):
            if name not in self.FIELDS[kind]:
                del self.fields[name]
        if kind == ChangeKind.VISITING:
            self.fields["other_school_code"].label = _("host school code")
            self.fields["other_school_name"].label = _("host school")
        elif kind == ChangeKind.TRANSFER_OUT:
            self.fields["other_school_code"].label = _("new school code")
            self.fields["other_school_name"].label = _("new school")


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("why it was a mistake"), max_length=300)


class GradeGraduationForm(forms.Form):
    grade = forms.TypedChoiceField(
        label=_("grade"), choices=Grade.choices, coerce=int, empty_value=None, initial=Grade.GRADE_12
    )
    effective_on = RocDateField(label=_("graduation date"))
    note = forms.CharField(label=_("note"), max_length=300, required=False)
    expected = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class TransferInForm(forms.Form):
    package = forms.FileField(label=_("transfer package (ZIP)"))
    password = forms.CharField(
        label=_("package password"),
        max_length=40,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The password the sending school's registry was shown once when the package was made."),
    )
    student_number = forms.CharField(label=_("student number at this school"), max_length=20)
    effective_on = RocDateField(label=_("date of transfer in"))
    school_class: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("class"), queryset=SchoolClass.objects.none(), required=False
    )
    seat = forms.IntegerField(label=_("seat"), required=False, min_value=1, max_value=99)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args: Any, school: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school_class"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = SchoolClass.objects.filter(school=school).select_related("academic_year")


class LegalHoldForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)


class HoldReleaseForm(forms.Form):
    note = forms.CharField(label=_("why it ends"), max_length=300, required=False)
