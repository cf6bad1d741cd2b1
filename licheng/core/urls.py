from django.templatetags.static import static
from django.urls import path
from django.views.generic.base import RedirectView

from licheng.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("operator/school/", views.choose_school, name="choose_school"),
    # Browsers ask for /favicon.ico whatever the page says; the icon is a static file.
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True), name="favicon"),
]
