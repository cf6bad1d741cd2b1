from django.urls import path

from licheng.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.activity, name="activity"),
    path("history/<str:object_type>/<str:object_id>/", views.object_history, name="object_history"),
]
