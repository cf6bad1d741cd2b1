from django.urls import path

from licheng.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("operator/school/", views.choose_school, name="choose_school"),
]
