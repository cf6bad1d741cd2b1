from django.urls import path

from licheng.announcements import views

app_name = "announcements"
urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("new/", views.announcement_create, name="create"),
    path("export/", views.announcement_export, name="export"),
    path("<int:pk>/", views.announcement_detail, name="detail"),
    path("<int:pk>/withdraw/", views.announcement_withdraw, name="withdraw"),
    path("parent-notice/", views.parent_notice, name="parent_notice"),
    path("help/", views.help_list, name="help_list"),
    path("help/new/", views.help_new, name="help_new"),
    path("help/export/", views.help_export, name="help_export"),
    path("help/<int:pk>/", views.help_detail, name="help_detail"),
    path("help/<int:pk>/answer/", views.help_answer, name="help_answer"),
]
