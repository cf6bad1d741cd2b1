from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from licheng.core.home import current_term, sections_for
from licheng.core.middleware import OPERATOR_SCHOOL_SESSION_KEY
from licheng.core.permissions import school_view
from licheng.schools.models import School


def _is_operator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_superuser and user.school_id is None)  # type: ignore[union-attr]


def home(request: HttpRequest) -> HttpResponse:
    """Each person's landing page. A deployment operator who has not picked a school picks one first."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if _is_operator(request) and getattr(request, "school", None) is None:
        return redirect("choose_school")
    return _school_home(request)


@school_view()
def _school_home(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    chosen = request.session.get("parent_child_id")
    sections = sections_for(
        request.user,  # type: ignore[arg-type]
        school,
        chosen_child_id=chosen if isinstance(chosen, int) else None,
    )
    context = {"sections": sections, "is_operator": _is_operator(request)}
    if not sections:
        context["term"] = current_term(school)
    return render(request, "core/home.html", context)


@require_http_methods(["GET", "POST"])
def choose_school(request: HttpRequest) -> HttpResponse:
    """Deployment operators (superusers without a school) choose the school they look at."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not _is_operator(request):
        raise Http404
    schools = School.objects.filter(is_active=True).order_by("code")
    error = None
    if request.method == "POST":
        choice = request.POST.get("school", "")
        school = schools.filter(pk=int(choice)).first() if choice.isdigit() else None
        if school is not None:
            request.session[OPERATOR_SCHOOL_SESSION_KEY] = school.pk
            return redirect("home")
        error = _("Choose one of the schools in the list.")
    current = getattr(request, "school", None)
    return render(
        request,
        "core/choose_school.html",
        {"schools": schools, "current": current, "error": error},
        status=400 if error else 200,
    )
