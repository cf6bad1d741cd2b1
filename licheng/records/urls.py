from django.urls import path

from licheng.records import roster_views, staff_views, views

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
    path("cadre-roles/", staff_views.cadre_role_list, name="cadre_roles"),
    path("cadre-roles/new/", staff_views.cadre_role_create, name="cadre_role_create"),
    path("cadre-roles/<int:pk>/edit/", staff_views.cadre_role_edit, name="cadre_role_edit"),
    path("cadre-roles/<int:pk>/delete/", staff_views.cadre_role_delete, name="cadre_role_delete"),
    path("cadre-roles/export.xlsx", staff_views.cadre_role_export, name="cadre_role_export"),
    path("cadre-roles/verify/", staff_views.cadre_roles_verify, name="cadre_roles_verify"),
    path("attendance/", staff_views.attendance_list, name="attendance"),
    path("attendance/new/", staff_views.attendance_create, name="attendance_create"),
    path("attendance/<int:pk>/edit/", staff_views.attendance_edit, name="attendance_edit"),
    path("attendance/<int:pk>/delete/", staff_views.attendance_delete, name="attendance_delete"),
    path("attendance/export.xlsx", staff_views.attendance_export, name="attendance_export"),
    path("rewards-penalties/", staff_views.reward_penalty_list, name="rewards_penalties"),
    path("rewards-penalties/new/", staff_views.reward_penalty_create, name="reward_penalty_create"),
    path("rewards-penalties/<int:pk>/edit/", staff_views.reward_penalty_edit, name="reward_penalty_edit"),
    path("rewards-penalties/<int:pk>/delete/", staff_views.reward_penalty_delete, name="reward_penalty_delete"),
    path("rewards-penalties/export.xlsx", staff_views.reward_penalty_export, name="reward_penalty_export"),
    path("career-exploration/", staff_views.career_exploration_list, name="career_exploration"),
    path("career-exploration/new/", staff_views.career_exploration_create, name="career_exploration_create"),
    path("career-exploration/<int:pk>/edit/", staff_views.career_exploration_edit, name="career_exploration_edit"),
    path(
        "career-exploration/<int:pk>/delete/", staff_views.career_exploration_delete, name="career_exploration_delete"
    ),
    path("career-exploration/export.xlsx", staff_views.career_exploration_export, name="career_exploration_export"),
    path("students/<int:pk>/records/", staff_views.student_records, name="student_records"),
    path("my-records/", staff_views.my_records, name="my_records"),
    path("rosters/precheck/", roster_views.precheck_roster, name="precheck_roster"),
    path("rosters/precheck/export.xlsx", roster_views.precheck_roster_export, name="precheck_roster_export"),
]
