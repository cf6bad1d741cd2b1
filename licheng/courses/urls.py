from django.urls import path

from licheng.courses import views

app_name = "courses"
urlpatterns = [
    path("", views.course_list, name="list"),
    path("new/", views.course_create, name="create"),
    path("<int:pk>/", views.course_detail, name="detail"),
    path("<int:pk>/edit/", views.course_edit, name="edit"),
    path("<int:pk>/teachers/add/", views.teacher_add, name="teacher_add"),
    path("<int:pk>/teachers/<int:user_id>/remove/", views.teacher_remove, name="teacher_remove"),
    path("<int:pk>/enrolments/add/", views.enrolment_add, name="enrolment_add"),
    path("<int:pk>/enrolments/<int:student_id>/remove/", views.enrolment_remove, name="enrolment_remove"),
]
