from django.urls import path

from licheng.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.mark_read, name="mark_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("reminders/", views.reminder_settings, name="reminder_settings"),
]
