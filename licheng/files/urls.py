from django.urls import path

from licheng.files import views

app_name = "files"
urlpatterns = [
    path("status/", views.status, name="status"),
    path("<int:pk>/", views.download, name="download"),
]
