from django.urls import path

from licheng.people import binding_views, verification_views, views

app_name = "people"
urlpatterns = [
    path("students/", views.student_list, name="student_list"),
    path("students/new/", views.student_create, name="student_create"),
    path("students/<int:pk>/", views.student_detail, name="student_detail"),
    path("students/<int:pk>/edit/", views.student_edit, name="student_edit"),
    path("students/<int:pk>/parents/new/", views.parent_create, name="parent_create"),
    path("students/<int:pk>/parents/link/", views.parent_link, name="parent_link"),
    path("students/<int:pk>/parents/<int:link_pk>/unlink/", views.parent_unlink, name="parent_unlink"),
    # Parent binding codes (親子綁定); the parent's pages are in ``parent_urls``.
    path("my/parent-codes/", binding_views.my_parent_codes, name="my_parent_codes"),
    path("students/<int:pk>/parent-codes/", binding_views.student_parent_codes, name="student_parent_codes"),
    path("parent-codes/<int:pk>/revoke/", binding_views.parent_code_revoke, name="parent_code_revoke"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("roles/", views.role_permissions, name="role_permissions"),
    path("roles/reset/", views.role_permissions_reset, name="role_permissions_reset"),
    path("users/<int:pk>/roles/", views.user_roles, name="user_roles"),
    path("users/<int:pk>/roles/<str:role>/revoke/", views.user_role_revoke, name="user_role_revoke"),
    path("proxies/", views.proxy_list, name="proxy_list"),
    path("proxies/new/", views.proxy_create, name="proxy_create"),
    path("proxies/<int:pk>/revoke/", views.proxy_revoke, name="proxy_revoke"),
    # Profile verification each term.
    path("verification/mine/", verification_views.my_profile_check, name="my_profile_check"),
    path("verification/checks/<int:pk>/confirm/", verification_views.profile_confirm, name="profile_confirm"),
    path("verification/checks/<int:pk>/report/", verification_views.profile_report, name="profile_report"),
    path("verification/checks/<int:pk>/resolve/", verification_views.report_resolve, name="profile_report_resolve"),
    path("verification/", verification_views.rounds, name="verification_rounds"),
    path("verification/<int:pk>/", verification_views.round_dashboard, name="verification_round"),
    path("verification/<int:pk>/close/", verification_views.round_close, name="verification_round_close"),
    path("verification/<int:pk>/classes/<int:class_pk>/", verification_views.class_detail, name="verification_class"),
]
