from django.urls import path

from licheng.counselling import views

app_name = "counselling"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_create, name="create"),
    path("export.xlsx", views.session_export, name="export"),
    path("mine/", views.my_sessions, name="mine"),
    path("import/", views.import_start, name="import_start"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/edit/", views.session_edit, name="edit"),
    path("<int:pk>/delete/", views.session_delete, name="delete"),
    path("<int:pk>/files/<int:file_id>/", views.attachment, name="attachment"),
]
