from __future__ import annotations

import datetime
from collections.abc import Iterator
from functools import partial
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import loader
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licheng.accounts import linking, services, sso, throttle
from licheng.accounts.imports import MAX_UPLOAD_BYTES
from licheng.accounts.models import AccountImport, SchoolSignOn
from licheng.accounts.tasks import send_email
from licheng.audit.services import Actor
from licheng.schools.models import AcademicYear


def locked_message(until: datetime.datetime) -> str:
    return _("Too many failed log-in attempts. Please try again after %(time)s.") % {
        "time": date_format(timezone.localtime(until), "H:i")
    }


class LoginForm(AuthenticationForm):
    """Password log-in with throttling: a locked account or address is refused before any password
    is checked, so the right password does not help while the lock lasts."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("The username or password is not correct. Both are case-sensitive."),
        "inactive": gettext_lazy("This account is closed. Please ask your school's registry section."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        actor = Actor.from_request(self.request) if self.request else Actor.system()
        until = throttle.locked_until(username, actor.ip_address)
        if until is not None:
            raise ValidationError(locked_message(until), code="locked")
        if username and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                until = services.login_failed(actor=actor, username=username)
                if until is not None:
                    raise ValidationError(locked_message(until), code="locked")
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user: Any) -> None:
        problem = services.login_refusal(user) or linking.password_refusal(user)
        if problem:
            raise ValidationError(problem, code="inactive")


class ResetRequestForm(PasswordResetForm):
    """Django's reset form, sending through a background task once the request's transaction commits.
    The page answers the same whether or not the address belongs to anyone."""

    def get_users(self, email: str) -> Iterator[Any]:
        for user in super().get_users(email):
            if services.login_refusal(user) is None:
                yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        transaction.on_commit(partial(send_email.enqueue, subject=subject, body=body, to=[to_email]))


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=60,
        help_text=gettext_lazy("What the token is for, e.g. “grade export script”."),
    )


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Accounts for"), choices=AccountImport.Kind.choices)
    academic_year = forms.ModelChoiceField(  # type: ignore[var-annotated]
        label=gettext_lazy("Academic year of the classes"),
        queryset=AcademicYear.objects.none(),
        required=False,
        help_text=gettext_lazy("Only for students: the year whose classes the 班級 column names."),
    )
    file = forms.FileField(
        label=gettext_lazy("File (XLSX or CSV)"),
        help_text=gettext_lazy("At most 5 MB. CSV may be UTF-8 or Big5."),
    )

    def __init__(self, *args: Any, school: Any, current_year: AcademicYear | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["academic_year"]
        field.queryset = AcademicYear.objects.filter(school=school).order_by("-year")  # type: ignore[attr-defined]
        field.initial = current_year
        field.label_from_instance = lambda year: _("%(year)s academic year") % {"year": year.year}  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is %(size)s MB; at most %(limit)s MB can be uploaded.")
                % {"size": round(upload.size / 1_000_000, 1), "limit": MAX_UPLOAD_BYTES // 1_000_000}
            )
        return upload


class SignOnForm(forms.ModelForm):
    """A school's single sign-on settings; the providers offered are the deployment's."""

    providers = forms.MultipleChoiceField(
        label=gettext_lazy("Allowed providers"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = SchoolSignOn
        fields = ["providers", "link_rule", "require_sso"]
        widgets = {"link_rule": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["providers"].choices = [  # type: ignore[attr-defined]
            (key, provider.label) for key, provider in sso.providers().items()
        ]
