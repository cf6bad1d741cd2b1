from django.urls import path

from licheng.portfolio import student_views, views

app_name = "portfolio"
urlpatterns = [
    path("", views.my_outcomes, name="my_outcomes"),
    path("<int:pk>/", views.outcome_detail, name="outcome_detail"),
    path("<int:pk>/edit/", views.outcome_edit, name="outcome_edit"),
    path("<int:pk>/withdraw/", views.outcome_withdraw, name="outcome_withdraw"),
    path("<int:pk>/select/", views.select_toggle, name="select_toggle"),
    path("files/<int:pk>/", views.file_view, name="file"),
    path("files/<int:pk>/preview/", views.file_preview, name="file_preview"),
    path("selection/", views.selection, name="selection"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/decide/", views.decide, name="decide"),
    path("queue/pass/", views.pass_selected, name="pass_selected"),
    path("classes/", views.class_list, name="class_list"),
    path("classes/<int:pk>/", views.class_view, name="class_view"),
    path("classes/<int:pk>/remind/", views.class_remind, name="class_remind"),
    path("students/<int:pk>/", views.student_outcomes, name="student_outcomes"),
    path("students/<int:pk>/portfolio/", student_views.student_portfolio, name="student_portfolio"),
    path("students/<int:pk>/exports/", student_views.student_exports, name="student_exports"),
    path("children/", views.children, name="children"),
    path("overview/", views.overview, name="overview"),
    path("reasons/", views.reasons, name="reasons"),
    path("extensions/", views.extensions, name="extensions"),
    path("extensions/<int:pk>/revoke/", views.extension_revoke, name="extension_revoke"),
    path("exports/", student_views.exports, name="exports"),
    path("exports/<int:pk>/status/", student_views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", student_views.export_download, name="export_download"),
    path("exports/<int:pk>/summary/", student_views.export_summary, name="export_summary"),
]
