"""The deployment operator's page: export a school in the background, follow its progress,
download the ZIP. For everyone else the page does not exist (404; anonymous: the login page)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_scopes import scopes_disabled

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.files.views import content_disposition
from licheng.portability import services
from licheng.portability.models import ExportStatus, SchoolExportJob
from licheng.schools.models import School


def operator_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not services.is_operator(request.user):
            raise Http404
        with scopes_disabled():
            return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
@operator_view
def exports(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        school = School.objects.filter(code=request.POST.get("school", "")).first()
        if school is None:
            messages.error(request, _("Choose a school."))
        else:
            try:
                services.school_export_request(actor=Actor.from_request(request), school=school)
            except ServiceError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The export is being prepared; this page shows its progress."))
        return redirect("portability:exports")
    jobs = list(SchoolExportJob.objects.select_related("school", "requested_by")[:20])
    return render(
        request,
        "portability/exports.html",
        {
            "schools": School.objects.order_by("code"),
            "jobs": jobs,
            "busy": any(j.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for j in jobs),
        },
    )


@require_GET
@operator_view
def download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(SchoolExportJob, pk=pk, status=ExportStatus.DONE)
    response = FileResponse(default_storage.open(job.file, "rb"), content_type="application/zip")
    response["Content-Disposition"] = content_disposition("attachment", f"school-{job.school.code}.zip")
    response["X-Content-SHA256"] = job.sha256
    return response
