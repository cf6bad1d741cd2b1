from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from licheng.counselling.models import SessionKind
from licheng.people.models import Student
from licheng.schools.forms import RocDateField


class StudentChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Student) -> str:  # type: ignore[override]
        klass = obj.school_class.name if obj.school_class else ""
        return f"{klass} {obj.student_number} {obj.name}".strip()


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind of session"), choices=SessionKind.choices)
    held_on = RocDateField(label=_("date"))
    starts_at = forms.TimeField(label=_("starts at"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label=_("ends at"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label=_("place"), max_length=100, required=False)
    # a list to search (class, number or name) on every page that chooses students (licheng.js)
    participants = StudentChoice(
        label=_("participants"),
        queryset=Student.objects.none(),
        widget=forms.SelectMultiple(
            attrs={"size": 10, "data-searchable": "1", "data-search-label": _("Search by class, number or name")}
        ),
    )
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    advice = forms.CharField(
        label=_("advice"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False
    )

    def __init__(self, *args: Any, students: QuerySet[Student], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = students.order_by(  # type: ignore[attr-defined]
            "school_class__name", "seat", "student_number"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))
        students = data.get("participants")
        if data.get("kind") == SessionKind.INDIVIDUAL and students is not None and len(students) != 1:
            self.add_error("participants", _("An individual session has exactly one student."))
        return data


class FilterForm(forms.Form):
    school_class = forms.IntegerField(required=False)
    student = forms.CharField(required=False, max_length=20)
    kind = forms.ChoiceField(required=False, choices=[("", "—"), *SessionKind.choices])
    date_from = RocDateField(label=_("from"), required=False)
    date_to = RocDateField(label=_("to"), required=False)
