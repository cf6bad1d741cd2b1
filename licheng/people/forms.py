"""Forms for people, roles and proxies. They parse input; every rule lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from licheng.people import roster_codes
from licheng.people.models import Duty, EnrolmentStatus, Sex, StaffMember, User
from licheng.people.roles import OFFICE_ROLES, STAFF_ROLES, Role
from licheng.schools.forms import RocDateField
from licheng.schools.models import Division, Grade, SchoolClass

_OTHER_SCHOOL = _("That is not one of this school's classes.")


def _set_queryset(form: forms.Form, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class StudentFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or student number"), required=False, max_length=60)
    grade = forms.TypedChoiceField(
        label=_("grade"), choices=[("", _("All grades")), *Grade.choices], coerce=int, required=False, empty_value=None
    )
    school_class: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("class"), queryset=SchoolClass.objects.none(), required=False, empty_label=_("All classes")
    )
    status = forms.ChoiceField(
        label=_("enrolment status"), choices=[("", _("All statuses")), *EnrolmentStatus.choices], required=False
    )

    def __init__(self, *args: Any, school: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "school_class", SchoolClass.objects.filter(school=school).select_related("academic_year"))


class StudentForm(forms.Form):
    student_number = forms.CharField(label=_("student number"), max_length=20)
    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=60)
    national_id = forms.CharField(
        label=_("national ID or resident certificate number"),
        max_length=10,
        min_length=1,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    birth_date = RocDateField(label=_("birth date"))
    sex = forms.TypedChoiceField(label=_("sex"), choices=Sex.choices, coerce=int)
    division: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("division"), queryset=Division.objects.none()
    )
    school_class: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("class"),
        queryset=SchoolClass.objects.none(),
        required=False,
        error_messages={"invalid_choice": _OTHER_SCHOOL},
    )
    seat = forms.IntegerField(label=_("seat"), required=False, min_value=1, max_value=99)
    entry_year = forms.IntegerField(label=_("entry academic year"), min_value=1, max_value=200, help_text=_("e.g. 114"))

    def __init__(self, *args: Any, school: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "division", Division.objects.filter(school=school))
        _set_queryset(self, "school_class", SchoolClass.objects.filter(school=school))
        # The central database's roster codes (checked by the service, as the profile import does).
        for field in roster_codes.ROSTER_FIELDS:
            label = roster_codes.label(field.name)
            self.fields[field.name] = _roster_field(field, label)


def _roster_field(field: roster_codes.RosterField, label: str) -> forms.Field:
    if field.kind == "year":
        return forms.IntegerField(label=label, required=False, min_value=0, max_value=999, help_text=_("e.g. 113"))
    if field.kind == "date":
        return RocDateField(label=label, required=False)
    help_text = _("Codes separated by commas") if field.kind == "codes" else ""
    initial = "1" if field.name == "class_type" else None
    return forms.CharField(
        label=label, max_length=field.max_length, required=False, help_text=help_text, initial=initial
    )


def _staff_role_choices() -> list[tuple[str, Any]]:
    return [(role.value, role.label) for role in Role if role in STAFF_ROLES]


class StaffForm(forms.Form):
    username = forms.CharField(label=_("login name"), max_length=150)
    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=60)
    title = forms.CharField(label=_("title"), max_length=60, required=False, help_text=_("e.g. 註冊組長, 國文科教師"))
    subjects = forms.CharField(label=_("subjects taught"), max_length=120, required=False)
    email = forms.EmailField(label=_("e-mail"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=_staff_role_choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["username"]


class ParentForm(forms.Form):
    username = forms.CharField(label=_("login name"), max_length=150)
    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=60)
    email = forms.EmailField(label=_("e-mail"), required=False)
    relation = forms.CharField(label=_("relation"), max_length=20, required=False, help_text=_("e.g. 父, 母, 監護人"))


class ParentLinkForm(forms.Form):
    username = forms.CharField(label=_("parent's login name"), max_length=150)
    relation = forms.CharField(label=_("relation"), max_length=20, required=False)


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)


class ProxyForm(forms.Form):
    principal = forms.ModelChoiceField(label=_("on behalf of"), queryset=User.objects.none())
    proxy = forms.ModelChoiceField(label=_("proxy"), queryset=User.objects.none())
    duty = forms.ChoiceField(label=_("duty"), choices=Duty.choices)
    course: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("course"), queryset=None, required=False)
    office = forms.ChoiceField(
        label=_("office"), choices=[("", "—"), *[(role.value, role.label) for role in OFFICE_ROLES]], required=False
    )
    order = forms.IntegerField(
        label=_("proxy order"), min_value=1, max_value=20, required=False, help_text=_("Empty: next free number")
    )
    starts_on = RocDateField(label=_("from"))
    ends_on = RocDateField(label=_("until"))
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args: Any, school: Any, principal: User | None, **kwargs: Any) -> None:
        from licheng.courses.models import Course

        super().__init__(*args, **kwargs)
        staff_users = User.objects.filter(pk__in=StaffMember.objects.filter(school=school).values("user_id")).order_by(
            "name", "username"
        )
        _set_queryset(self, "proxy", staff_users)
        courses = Course.objects.filter(school=school).select_related("term__academic_year", "school_class")
        if principal is not None:
            # Assigning one's own proxies: the principal is fixed.
            del self.fields["principal"]
            courses = courses.filter(course_teachers__teacher=principal)
            _set_queryset(self, "proxy", staff_users.exclude(pk=principal.pk))
        else:
            _set_queryset(self, "principal", staff_users)
        _set_queryset(self, "course", courses)
