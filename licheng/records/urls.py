from django.urls import path

from licheng.records import views

app_name = "records"
urlpatterns = [
    path("grades/", views.grade_list, name="grades"),
    path("grades/new/", views.grade_create, name="grade_create"),
    path("grades/<int:pk>/edit/", views.grade_edit, name="grade_edit"),
    path("grades/export.xlsx", views.grade_export, name="grade_export"),
    path("students/<int:pk>/transcript/", views.transcript, name="transcript"),
    path("my-transcript/", views.my_transcript, name="my_transcript"),
    path("import/<slug:kind>/", views.import_start, name="import_start"),
    path("import/<slug:kind>/template.xlsx", views.import_template, name="import_template"),
    path("import/<slug:kind>/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<slug:kind>/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("course-codes/", views.course_code_list, name="course_codes"),
    path("course-codes/import/", views.course_code_import, name="course_code_import"),
]
