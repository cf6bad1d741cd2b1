from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from licheng.accounts import imports, selectors, services, sso
from licheng.accounts.forms import ImportUploadForm, LoginForm, ResetRequestForm, TokenCreateForm
from licheng.accounts.models import AccountImport
from licheng.accounts.tokens import api_token_create, api_token_revoke
from licheng.audit.services import Actor
from licheng.core import spreadsheets
from licheng.core.errors import ServiceError
from licheng.core.permissions import school_view
from licheng.files.upload import upload_route
from licheng.people.models import User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# ---------------------------------------------------------------------------------------------
# Log-in, passwords
# ---------------------------------------------------------------------------------------------


def _safe_next(request: HttpRequest, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def after_login_url(request: HttpRequest, user: User, next_url: str | None) -> str:
    """Where a freshly logged-in user goes: the password-change page first while they still have
    an initial password, then ``next`` (if it is on this site) or home."""
    target = _safe_next(request, next_url) or reverse(settings.LOGIN_REDIRECT_URL)
    if user.must_change_password:
        return reverse("password_change") + "?" + urlencode({"next": target})
    return target


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_providers"] = list(sso.providers().values())
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        auth_login(self.request, user)
        services.login_succeeded(actor=Actor.from_request(self.request), user=user)
        return HttpResponseRedirect(after_login_url(self.request, user, self.get_redirect_url()))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form: Any) -> HttpResponse:
        users = list(form.get_users(form.cleaned_data["email"]))
        allowed = services.password_reset_request(
            actor=Actor.from_request(self.request), email=form.cleaned_data["email"], users=users
        )
        if not allowed:  # the same answer as a request that sent mail
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"

    def form_valid(self, form: Any) -> HttpResponse:
        services.password_change(
            actor=Actor.from_request(self.request),
            user=form.user,
            new_password=form.cleaned_data["new_password1"],
            reset=True,
        )
        self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        return HttpResponseRedirect(self.get_success_url())


@method_decorator(login_required, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Open to every logged-in account, with or without a school (deployment operators too)."""

    template_name = "registration/password_change_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["next"] = _safe_next(self.request, self.request.GET.get("next") or self.request.POST.get("next"))
        context["must_change"] = self.request.user.must_change_password  # type: ignore[union-attr]
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        services.password_change(
            actor=Actor.from_request(self.request), user=form.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, form.user)
        next_url = _safe_next(self.request, self.request.POST.get("next"))
        if next_url:
            messages.success(self.request, _("Your password has been changed."))
            return HttpResponseRedirect(next_url)
        return HttpResponseRedirect(reverse("password_change_done"))


password_change_done = login_required(
    auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html")
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)

# ---------------------------------------------------------------------------------------------
# API tokens
# ---------------------------------------------------------------------------------------------


@school_view()
def tokens(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    raw_token = None
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, raw_token = api_token_create(
            actor=Actor.from_request(request), user=user, name=form.cleaned_data["name"]
        )
        form = TokenCreateForm()
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": selectors.tokens_of(user), "form": form, "raw_token": raw_token},
    )


@require_POST
@school_view()
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_of(request.user, pk)  # type: ignore[arg-type]
    api_token_revoke(actor=Actor.from_request(request), token=token)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("account_tokens")


# ---------------------------------------------------------------------------------------------
# Bulk account imports
# ---------------------------------------------------------------------------------------------


@upload_route("account_import_list", lambda request: spreadsheets.MAX_UPLOAD_BYTES)
@school_view("people.import_accounts")
def import_list(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        school=school,
        current_year=services.current_academic_year(school),
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            account_import = services.account_import_check(
                actor=Actor.from_request(request),
                school=school,
                kind=form.cleaned_data["kind"],
                file_name=upload.name or "",
                content=upload.read(imports.MAX_UPLOAD_BYTES + 1),
                academic_year=form.cleaned_data["academic_year"],
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("account_import_detail", pk=account_import.pk)
    account_imports = selectors.account_imports_visible_to(request.user, school)[:50]  # type: ignore[arg-type]
    return render(
        request,
        "accounts/import_list.html",
        {"form": form, "imports": account_imports, "kinds": AccountImport.Kind.choices},
    )


@school_view("people.import_accounts")
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in imports.COLUMNS:
        raise Http404
    response = HttpResponse(imports.template_bytes(kind), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="licheng-{kind}-template.xlsx"'
    return response


def _preview_rows(account_import: AccountImport) -> list[dict[str, Any]]:
    columns = imports.COLUMNS[account_import.kind]
    by_line: dict[int, dict[str, list[str]]] = {}
    for error in account_import.errors:
        by_line.setdefault(error["line"], {}).setdefault(error["column"], []).append(error["message"])
    return [
        {
            "line": row["line"],
            "cells": [
                {"value": row["values"].get(c.field, ""), "errors": by_line.get(row["line"], {}).get(c.field, [])}
                for c in columns
            ],
            "has_errors": row["line"] in by_line,
        }
        for row in account_import.rows
    ]


@school_view("people.import_accounts")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account_import = selectors.account_import_for(request.user, request.school, pk)  # type: ignore[arg-type, attr-defined]
    rows = _preview_rows(account_import)
    return render(
        request,
        "accounts/import_detail.html",
        {
            "import": account_import,
            "columns": imports.COLUMNS[account_import.kind],
            "rows": rows,
            "bad_rows": sum(1 for r in rows if r["has_errors"]),
            "can_apply": account_import.status == AccountImport.Status.CHECKED and not account_import.errors,
        },
    )


@require_POST
@school_view("people.import_accounts")
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    account_import = selectors.account_import_for(request.user, request.school, pk)  # type: ignore[arg-type, attr-defined]
    actor = Actor.from_request(request)
    try:
        services.account_import_apply(actor=actor, account_import=account_import)
    except ServiceError as error:
        services.account_import_recheck(actor=actor, account_import=account_import)
        messages.error(request, error.message)
        return redirect("account_import_detail", pk=pk)
    messages.success(request, _("The accounts have been created. Print or download the initial passwords now."))
    return redirect("account_import_passwords", pk=pk)


def _password_list(account_import: AccountImport, passwords: dict[str, str]) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of the initial-password list; accounts whose owner has already chosen a
    password show that instead of the (no longer valid) initial one."""
    school = account_import.school
    changed_label = _("(changed by the user)")
    kind = account_import.kind
    entries: list[tuple[str, list[Any]]] = []
    if kind == AccountImport.Kind.STUDENTS:
        header = [
            _("Class"),
            _("Seat"),
            _("Student number"),
            pgettext("person", "Name"),
            _("Username"),
            _("Initial password"),
        ]
        for row in account_import.rows:
            v = row["values"]
            username = imports.student_username(school, v["student_number"])
            entries.append((username, [v["class_name"], v["seat"], v["student_number"], v["name"], username]))
    elif kind == AccountImport.Kind.STAFF:
        header = [pgettext("person", "Name"), _("Title"), _("Username"), _("Initial password")]
        for row in account_import.rows:
            v = row["values"]
            entries.append((v["username"], [v["name"], v.get("title", ""), v["username"]]))
    else:
        header = [pgettext("person", "Name"), _("Student number"), _("Username"), _("Initial password")]
        children: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for row in account_import.rows:
            v = row["values"]
            children.setdefault(v["username"], []).append(v["student_number"])
            names.setdefault(v["username"], v["name"])
        entries = [(u, [names[u], "、".join(numbers), u]) for u, numbers in children.items()]
    still_initial = set(
        User.objects.filter(
            school=school, username__in=[u for u, _cells in entries], must_change_password=True
        ).values_list("username", flat=True)
    )
    rows = [[*cells, passwords.get(u, "") if u in still_initial else changed_label] for u, cells in entries]
    return header, rows


def _applied_import(request: HttpRequest, pk: int) -> AccountImport:
    account_import = selectors.account_import_for(request.user, request.school, pk)  # type: ignore[arg-type, attr-defined]
    if account_import.status != AccountImport.Status.APPLIED:
        raise Http404
    return account_import


@school_view("people.import_accounts")
def import_passwords(request: HttpRequest, pk: int) -> HttpResponse:
    account_import = _applied_import(request, pk)
    passwords = services.account_import_passwords_reveal(
        actor=Actor.from_request(request), account_import=account_import, how="print"
    )
    header, rows = _password_list(account_import, passwords)
    response = render(
        request, "accounts/import_passwords.html", {"import": account_import, "header": header, "rows": rows}
    )
    response["Cache-Control"] = "no-store"
    return response


@school_view("people.import_accounts")
def import_passwords_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    account_import = _applied_import(request, pk)
    passwords = services.account_import_passwords_reveal(
        actor=Actor.from_request(request), account_import=account_import, how="download"
    )
    header, rows = _password_list(account_import, passwords)
    response = HttpResponse(spreadsheets.workbook_bytes(_("Initial passwords"), header, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="licheng-passwords-{account_import.pk}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
