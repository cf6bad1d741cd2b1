from django.urls import path

from licheng.backups import views

app_name = "backups"
urlpatterns = [
    path("", views.status, name="status"),
    path("health", views.health, name="health"),
]
