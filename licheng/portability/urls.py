from django.urls import path

from licheng.portability import views

app_name = "portability"
urlpatterns = [
    path("", views.exports, name="exports"),
    path("<int:pk>/download/", views.download, name="download"),
]
