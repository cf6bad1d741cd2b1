"""Pages of single sign-on: the provider round trip, confirming a first link, the account page
with its linked identities, the school's sign-on settings, and log-out (with provider log-out)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from licheng.accounts import linking, oidc_client, services, sso, throttle
from licheng.accounts.forms import SignOnForm, locked_message
from licheng.accounts.linking import Identity, SignInRefused
from licheng.accounts.models import ExternalIdentity
from licheng.accounts.views import _safe_next
from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.core.permissions import school_view
from licheng.people.models import User

PENDING_LINK = "sso_pending_link"
PENDING_IDENTITY = "sso_pending_identity"  # read by parent binding: see the contract in the docs
SIGNED_IN_WITH = "sso_signed_in_with"
NEXT = "sso_next"
BACKEND = "licheng.accounts.backends.SchoolModelBackend"

FAILURE_MESSAGES = {
    "unavailable": lambda p: _("%(provider)s is not answering right now. Please try again later.") % {"provider": p},
    "state": lambda p: _("This sign-in was already used or has expired. Please start again.") % {"provider": p},
    "denied": lambda p: _("%(provider)s did not let you sign in. Please start again.") % {"provider": p},
    "token": lambda p: (
        _("The answer from %(provider)s could not be verified, so you were not signed in.") % {"provider": p}
    ),
}


def _provider(key: str) -> sso.Provider:
    provider = sso.provider(key)
    if provider is None:
        raise Http404
    return provider


def _refused(
    request: HttpRequest, provider: sso.Provider, message: str, *, reason: str, subject: str = "", school: Any = None
) -> HttpResponse:
    actor = Actor.from_request(request)
    linking.sign_in_failed(actor=actor, provider=provider, subject=subject, reason=reason, school=school)
    return render(request, "accounts/sso_refused.html", {"message": message, "provider": provider}, status=403)


def sso_start(request: HttpRequest, provider_key: str) -> HttpResponse:
    """Off to the provider. A logged-in person starting a sign-in is linking their account."""
    provider = _provider(provider_key)
    request.session[NEXT] = _safe_next(request, request.GET.get("next")) or ""
    redirect_uri = request.build_absolute_uri(reverse("sso_callback", args=[provider.key]))
    try:
        return oidc_client.authorize_redirect(request, provider, redirect_uri)
    except oidc_client.SignInError as error:
        return _refused(request, provider, FAILURE_MESSAGES[error.reason](provider.label), reason=error.reason)


def sso_callback(request: HttpRequest, provider_key: str) -> HttpResponse:
    provider = _provider(provider_key)
    until = throttle.address_locked_until(Actor.from_request(request).ip_address)
    if until is not None:
        return render(request, "accounts/sso_refused.html", {"message": locked_message(until)}, status=403)
    try:
        sign_in = oidc_client.finish(request, provider)
    except oidc_client.SignInError as error:
        return _refused(request, provider, FAILURE_MESSAGES[error.reason](provider.label), reason=error.reason)
    identity = Identity.from_claims(provider, sign_in.claims)
    if request.user.is_authenticated:
        return _link_signed_in(request, identity, sign_in.id_token)
    try:
        school = linking.school_of(identity)
        user = linking.linked_user(identity, school)
    except SignInRefused as refusal:
        return _refused(
            request, provider, refusal.message, reason=refusal.reason, subject=identity.subject, school=refusal.school
        )
    if user is not None:
        return _log_in(request, user, provider, sign_in.id_token)
    candidate = linking.match(identity, school)
    request.session[SIGNED_IN_WITH] = {"provider": provider.key, "id_token": sign_in.id_token}
    if candidate is not None:
        request.session[PENDING_LINK] = {**_identity_data(identity), "user_id": candidate.pk}
        return redirect("sso_link_confirm")
    request.session[PENDING_IDENTITY] = {
        "provider": provider.key,
        "subject": identity.subject,
        "school_id": school.pk,
        "name": identity.name,
        "email": identity.email,
    }
    return redirect("sso_no_account")


def _identity_data(identity: Identity) -> dict[str, str]:
    return {
        "provider": identity.provider.key,
        "subject": identity.subject,
        "school_code": identity.school_code,
        "role": identity.role,
        "name": identity.name,
    }


def _pending_identity(data: dict[str, str]) -> Identity | None:
    provider = sso.provider(data.get("provider", ""))
    if provider is None:
        return None
    return Identity(
        provider=provider,
        subject=data["subject"],
        school_code=data["school_code"],
        role=data["role"],
        student_number="",
        national_id="",
        name=data["name"],
        email="",
    )


def _log_in(request: HttpRequest, user: User, provider: sso.Provider, id_token: str) -> HttpResponse:
    problem = services.login_refusal(user)
    if problem:
        return _refused(request, provider, problem, reason="closed", subject=str(user.pk), school=user.school)
    next_url = request.session.get(NEXT) or ""
    auth_login(request, user, backend=BACKEND)
    request.session.pop(PENDING_IDENTITY, None)  # an earlier unmatched sign-in is no longer waiting
    request.session[SIGNED_IN_WITH] = {"provider": provider.key, "id_token": id_token}
    services.login_succeeded(actor=Actor.from_request(request), user=user)
    # Single sign-on never needs the initial-password change.
    return HttpResponseRedirect(_safe_next(request, next_url) or reverse("home"))


def _link_signed_in(request: HttpRequest, identity: Identity, id_token: str) -> HttpResponse:
    """A logged-in person linking: they are signed in at the provider now too, so log-out offers
    to end that session as well."""
    user: User = request.user  # type: ignore[assignment]
    try:
        linking.identity_link(actor=Actor.from_request(request), user=user, identity=identity)
    except ServiceError as error:
        return _refused(
            request,
            identity.provider,
            error.message,
            reason="link_refused",
            subject=identity.subject,
            school=user.school,
        )
    request.session[SIGNED_IN_WITH] = {"provider": identity.provider.key, "id_token": id_token}
    messages.success(request, _("Your %(provider)s account is now linked.") % {"provider": identity.provider.label})
    return redirect("account_home")


def sso_link_confirm(request: HttpRequest) -> HttpResponse:
    """ "This education-cloud account will be linked to 王小明, 301 班": links only on POST."""
    data = request.session.get(PENDING_LINK)
    identity = _pending_identity(data) if data else None
    user = User.objects.select_related("school").filter(pk=data["user_id"]).first() if data else None
    if identity is None or user is None:
        return render(
            request,
            "accounts/sso_refused.html",
            {"message": _("There is nothing to link. Please sign in again.")},
            status=400,
        )
    student = getattr(user, "student", None)
    if request.method == "POST":
        del request.session[PENDING_LINK]
        if "cancel" in request.POST:
            messages.info(request, _("Nothing was linked."))
            return redirect("login")
        try:
            linking.identity_link(actor=Actor.from_request(request), user=user, identity=identity)
        except ServiceError as error:
            return _refused(
                request,
                identity.provider,
                error.message,
                reason="link_refused",
                subject=identity.subject,
                school=user.school,
            )
        signed_in = request.session.get(SIGNED_IN_WITH) or {}
        return _log_in(request, user, identity.provider, signed_in.get("id_token", ""))
    return render(
        request, "accounts/sso_link_confirm.html", {"identity": identity, "account": user, "student": student}
    )


def sso_no_account(request: HttpRequest) -> HttpResponse:
    data = request.session.get(PENDING_IDENTITY)
    if not data:
        return redirect("login")
    try:
        binding_url: str | None = reverse("parent_binding_redeem")
    except NoReverseMatch:
        binding_url = None
    return render(
        request,
        "accounts/sso_no_account.html",
        {"provider_label": sso.label(data["provider"]), "binding_url": binding_url},
    )


@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    links = list(user.external_identities.order_by("provider"))
    linked = {link.provider for link in links}
    allowed = linking.sign_on_of(user.school).providers if user.school else []
    linkable = [p for key, p in sso.providers().items() if key in allowed and key not in linked]
    return render(
        request,
        "accounts/account.html",
        {
            "account": user,
            "student": getattr(user, "student", None),
            "links": [(link, sso.label(link.provider)) for link in links],
            "linkable": linkable,
        },
    )


@login_required
@require_POST
def account_identity_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(ExternalIdentity.objects.select_related("user__school"), pk=pk, user=request.user)
    try:
        linking.identity_unlink(actor=Actor.from_request(request), link=link)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The %(provider)s account is no longer linked.") % {"provider": sso.label(link.provider)}
        )
    return redirect("account_home")


@school_view("school.manage_settings")
def school_sign_on(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    sign_on = linking.sign_on_of(school)
    form = SignOnForm(request.POST or None, instance=sign_on)
    if request.method == "POST" and form.is_valid():
        try:
            linking.sign_on_update(
                actor=Actor.from_request(request),
                school=school,
                providers=form.cleaned_data["providers"],
                link_rule=form.cleaned_data["link_rule"],
                require_sso=form.cleaned_data["require_sso"],
            )
        except ServiceError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("The sign-in settings have been saved."))
            return redirect("school_sign_on")
    return render(request, "accounts/school_sign_on.html", {"form": form})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """End the local session; when the provider can end its own session too, offer that."""
    signed_in = request.session.get(SIGNED_IN_WITH) or {}
    auth_logout(request)
    provider = sso.provider(signed_in.get("provider", ""))
    provider_url = None
    if provider is not None and signed_in.get("id_token"):
        provider_url = oidc_client.logout_url(
            provider, signed_in["id_token"], request.build_absolute_uri(reverse("login"))
        )
    if provider_url is None:
        return redirect("login")
    return render(request, "registration/logged_out.html", {"provider": provider, "provider_url": provider_url})
