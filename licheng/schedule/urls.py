from django.urls import URLPattern, path

from licheng.schedule import views

app_name = "schedule"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("term/<int:term_pk>/new/", views.entry_create, name="entry_create"),
    path("term/<int:term_pk>/copy/", views.copy_last_year, name="copy_last_year"),
    path("term/<int:term_pk>/publish/", views.publish, name="publish"),
    path("entry/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("entry/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("extensions/", views.extensions, name="extensions"),
    path("extensions/<slug:source>/<int:pk>/revoke/", views.extension_revoke, name="extension_revoke"),
    path("mine/", views.my_deadlines, name="my_deadlines"),
    path("mine/calendar/new/", views.calendar_token_issue, name="calendar_token_issue"),
    path("mine/calendar/revoke/", views.calendar_token_revoke, name="calendar_token_revoke"),
    path("feed/<str:token>.ics", views.my_feed, name="my_feed"),
    path("public/<str:code>/", views.public, name="public"),
    path("public/<str:code>/calendar.ics", views.public_feed, name="public_feed"),
]
