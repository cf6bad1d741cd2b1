from django.urls import path

from licheng.workinggroup import views

app_name = "workinggroup"
urlpatterns = [
    path("", views.index, name="index"),
    path("members/", views.members, name="members"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/attach/", views.meeting_attach, name="meeting_attach"),
    path("meetings/<int:pk>/delete/", views.meeting_delete, name="meeting_delete"),
    path("meetings/<int:pk>/files/<int:file_pk>/", views.meeting_file, name="meeting_file"),
    path("trainings/", views.trainings, name="trainings"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("trainings/<int:pk>/delete/", views.training_delete, name="training_delete"),
    path("evaluations/", views.evaluations, name="evaluations"),
    path("evaluations/new/", views.evaluation_create, name="evaluation_create"),
    path("export/<slug:kind>/", views.export, name="export"),
]
