from django.urls import URLPattern, path

from licheng.progress import views

app_name = "progress"
urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path("term/<int:term_pk>/export.xlsx", views.dashboard_export, name="dashboard_export"),
    path("term/<int:term_pk>/uncertified.xlsx", views.uncertified_export, name="uncertified_export"),
    path("my-class/", views.my_class_uncertified, name="my_class_uncertified"),
    path(
        "my-class/<int:term_pk>/uncertified.xlsx", views.my_class_uncertified_export, name="my_class_uncertified_export"
    ),
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/<int:term_pk>/print/", views.checklist_print, name="checklist_print"),
    path("checklist/<int:term_pk>/export.xlsx", views.checklist_export, name="checklist_export"),
    path("checklist/<int:term_pk>/generate/", views.checklist_generate, name="checklist_generate"),
    path("checklist/<int:term_pk>/new/", views.checklist_item_create, name="checklist_item_create"),
    path("checklist/item/<int:pk>/", views.checklist_item_tick, name="checklist_item_tick"),
    path("checklist/item/<int:pk>/delete/", views.checklist_item_delete, name="checklist_item_delete"),
]
