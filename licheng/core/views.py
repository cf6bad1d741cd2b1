from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from licheng.core.permissions import school_view


@school_view()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})
