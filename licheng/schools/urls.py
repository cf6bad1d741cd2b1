from django.urls import path

from licheng.schools import views

app_name = "schools"
urlpatterns = [
    path("", views.settings_overview, name="settings"),
    path("rules/", views.rules_edit, name="rules_edit"),
    path("rules/override/", views.rules_override_create, name="rules_override_create"),
    path("rules/<int:year>/", views.rules_year_edit, name="rules_year_edit"),
    path("rules/<int:year>/remove/", views.rules_override_remove, name="rules_override_remove"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/years/new/", views.academic_year_create, name="academic_year_create"),
    path("calendar/terms/new/", views.term_create, name="term_create"),
    path("calendar/terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("divisions/", views.divisions, name="divisions"),
    path("divisions/new/", views.division_create, name="division_create"),
    path("divisions/<int:pk>/edit/", views.division_edit, name="division_edit"),
    path("classes/", views.classes, name="classes"),
    path("classes/new/", views.class_create, name="class_create"),
    path("classes/<int:pk>/edit/", views.class_edit, name="class_edit"),
]
