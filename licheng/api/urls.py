from django.urls import path

from licheng.api.api import api

urlpatterns = [path("", api.urls)]
