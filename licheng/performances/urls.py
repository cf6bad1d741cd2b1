from django.urls import path

from licheng.performances import views

app_name = "performances"
urlpatterns = [
    path("", views.my_performances, name="mine"),
    path("new/<int:kind>/", views.performance_create, name="create"),
    path("<int:pk>/", views.performance_detail, name="detail"),
    path("<int:pk>/edit/", views.performance_edit, name="edit"),
    path("<int:pk>/withdraw/", views.performance_withdraw, name="withdraw"),
    path("<int:pk>/files/<int:file_id>/", views.performance_file, name="file"),
    path("selection/", views.selection, name="selection"),
    path("selection/<int:pk>/", views.selection_toggle, name="selection_toggle"),
    path("writings/", views.my_writings, name="writings"),
    path("writings/<int:pk>/attachment/", views.writing_attachment, name="writing_attachment"),
    path("writings/<int:pk>/review/", views.writing_review, name="writing_review"),
    path("writings/<slug:kind>/", views.writing_edit, name="writing_edit"),
    path("students/<int:pk>/", views.student_portfolio, name="student"),
    path("classes/", views.class_list, name="classes"),
    path("classes/<int:pk>/", views.class_overview, name="class_overview"),
    path("codes/", views.codes, name="codes"),
]
