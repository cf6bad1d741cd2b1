"""A URLconf with a view that fails, to test the 500 page."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from licheng.urls import urlpatterns as site_patterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail")


urlpatterns = [path("boom/", boom), *site_patterns]
