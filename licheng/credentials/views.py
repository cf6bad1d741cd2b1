"""Credential pages: the public key set, issuer profile and status list of each school (public,
stable URLs), a credential's download and QR code (whoever sees the outcome), revocation (the
course's teacher), and the public ``/verify/`` page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_scopes import scopes_disabled

from licheng.audit.services import Actor, client_ip
from licheng.core.errors import ServiceError
from licheng.core.permissions import school_view
from licheng.credentials import keys, qr, selectors, services, verify
from licheng.credentials.models import Credential, IssuerKey
from licheng.files.upload import upload_route, upload_view
from licheng.schools.models import School

# /verify/: checks per client address per minute, and the largest file it reads.
VERIFY_PER_MINUTE = 30
VERIFY_MAX_BYTES = 50 * 1024 * 1024


def _school(code: str) -> School:
    return get_object_or_404(School, code=code, is_active=True)


@require_GET
def jwks(request: HttpRequest, code: str) -> HttpResponse:
    school = _school(code)
    with scopes_disabled():
        body = keys.jwks(school)
    response = JsonResponse(body)
    response["Content-Type"] = "application/jwk-set+json"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def issuer(request: HttpRequest, code: str) -> HttpResponse:
    school = _school(code)
    response = JsonResponse(
        {
            "@context": services.OB3_CONTEXT[1],
            "id": keys.issuer_url(school),
            "type": ["Profile"],
            "name": school.name,
            "otherIdentifier": [
                {"type": ["IdentifierEntry"], "identifier": school.code, "identifierType": "sourcedId"}
            ],
            "publicKeys": keys.jwks_url(school),
            "statusList": keys.status_list_url(school),
        }
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def status_list(request: HttpRequest, code: str) -> HttpResponse:
    """The school's Bitstring Status List credential (revocation), signed like the credentials."""
    school = _school(code)
    with scopes_disabled():
        revoked = set(
            Credential.objects.filter(school=school, revoked_at__isnull=False).values_list("status_index", flat=True)
        )
        key = IssuerKey.objects.filter(school=school, retired_at__isnull=True).order_by("-created_at", "-pk").first()
    if key is None:  # no credential issued yet: nothing to publish (and a GET makes no key)
        raise Http404
    now = int(timezone.now().timestamp())
    url = keys.status_list_url(school)
    vc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": keys.issuer_url(school),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": keys.encode_status_list(revoked),
        },
    }
    token = keys.sign(key, {"iss": vc["issuer"], "jti": url, "iat": now, "nbf": now, "vc": vc})
    response = HttpResponse(token, content_type="application/jwt")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-cache"
    return response


def _visible(request: HttpRequest, pk: int) -> Credential:
    return get_object_or_404(selectors.credentials_visible_to(request.user, request.school), pk=pk)  # type: ignore[arg-type, attr-defined]


def verify_link(request: HttpRequest, credential: Credential) -> str:
    if settings.LICHENG_SITE_URL:
        return qr.verify_link(credential)
    return request.build_absolute_uri(reverse("verify") + f"?id={credential.uuid}")


def file_stem(credential: Credential) -> str:
    outcome = credential.version.outcome
    return f"credential-{outcome.term.label}-{outcome.course.course_code or outcome.pk}-v{credential.version.number}"


@require_GET
@school_view()
def download(request: HttpRequest, pk: int) -> HttpResponse:
    credential = _visible(request, pk)
    response = HttpResponse(credential.token, content_type="application/jwt")
    response["Content-Disposition"] = f'attachment; filename="{file_stem(credential)}.jwt"'
    return response


@require_GET
@school_view()
def qr_code(request: HttpRequest, pk: int) -> HttpResponse:
    credential = _visible(request, pk)
    response = HttpResponse(qr.qr_png(verify_link(request, credential)), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{file_stem(credential)}-qr.png"'
    return response


@require_POST
@school_view()
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    credential = _visible(request, pk)
    try:
        services.credential_revoke(
            actor=Actor.from_request(request), credential=credential, reason=request.POST.get("reason", "")
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The credential was revoked; verifying it now says so."))
    return redirect("portfolio:outcome_detail", pk=credential.version.outcome_id)


def _throttled(request: HttpRequest) -> bool:
    key = f"licheng-verify:{client_ip(request)}:{int(timezone.now().timestamp() // 60)}"
    if cache.add(key, 1, timeout=70):
        return False
    try:
        return cache.incr(key) > VERIFY_PER_MINUTE
    except ValueError:
        return False


def _read_upload(upload: Any) -> bytes:
    data = upload.read(verify.MAX_TOKEN_BYTES + 1)
    upload.close()
    return bytes(data)


@upload_route("verify", lambda request: VERIFY_MAX_BYTES, files_allowed=2)
@upload_view(lambda request: VERIFY_MAX_BYTES, files_allowed=2)
@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """Anyone, no login: paste a credential or choose its file (and optionally the certified file)."""
    context: dict[str, Any] = {"max_mb": VERIFY_MAX_BYTES // (1024 * 1024)}
    wanted = request.GET.get("id", "").strip()
    if (request.method == "POST" or wanted) and _throttled(request):
        context["error"] = _("Too many checks from your address; wait a minute and try again.")
        return render(request, "credentials/verify.html", context, status=429)
    if request.method == "POST":
        error = getattr(request, "upload_error", None)
        if error is not None:
            context["error"] = error.message
            return render(request, "credentials/verify.html", context, status=error.status_code)
        token = request.POST.get("token", "")
        if "credential" in request.FILES:
            try:
                token = _read_upload(request.FILES["credential"]).decode()
            except UnicodeDecodeError:
                token = "?"  # noqa: S105 - not text: the verdict says it cannot be read
        evidence = request.FILES.get("evidence")
        hashes = [getattr(evidence, "sha256", None) or verify.sha256_of(evidence.chunks())] if evidence else []
        if evidence is not None:
            context["evidence_name"] = evidence.name
            evidence.close()
        context["verdict"] = verify.verify_token(token, evidence_hashes=hashes)
        context["token"] = token if len(token) <= verify.MAX_TOKEN_BYTES else ""
    elif wanted:
        with scopes_disabled():
            try:
                credential = Credential.objects.filter(uuid=wanted).first()
            except ValidationError:  # not a UUID
                credential = None
        if credential is None:
            raise Http404
        context["verdict"] = verify.verify_token(credential.token)
        context["token"] = credential.token
    return render(request, "credentials/verify.html", context)
