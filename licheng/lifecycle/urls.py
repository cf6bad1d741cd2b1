from django.urls import URLPattern, path

from licheng.lifecycle import views

app_name = "lifecycle"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("students/<int:pk>/", views.student, name="student"),
    path("students/<int:pk>/change/<str:kind>/", views.change, name="change"),
    path("students/<int:pk>/correct/", views.correct, name="correct"),
    path("graduate/", views.graduate_grade, name="graduate_grade"),
    path("students/<int:pk>/package/", views.package_request, name="package_request"),
    path("students/<int:pk>/hold/", views.hold_place, name="hold_place"),
    path("packages/<int:pk>/download/", views.package_download, name="package_download"),
    path("packages/<int:pk>/password/", views.package_password, name="package_password"),
    path("transfer-in/", views.transfer_in, name="transfer_in"),
    path("transferred-files/<int:pk>/", views.transferred_file, name="transferred_file"),
    path("retention/", views.retention, name="retention"),
    path("retention/preview/", views.retention_preview, name="retention_preview"),
    path("holds/<int:pk>/release/", views.hold_release, name="hold_release"),
]
