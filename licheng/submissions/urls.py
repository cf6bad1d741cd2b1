from __future__ import annotations

from django.urls import URLPattern, path

from licheng.submissions import views

app_name = "submissions"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("readiness/recompute/", views.recompute, name="recompute"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/rosters/<str:code>/", views.roster_download, name="roster"),
    path("<int:pk>/package.zip", views.package, name="package"),
]
