"""Pages for courses: the list, one course with its teachers and students, and their changes."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission, school_view
from licheng.courses import services
from licheng.courses.forms import CourseForm, EnrolmentForm, TeacherForm
from licheng.courses.models import Course, CourseTeacher
from licheng.courses.selectors import courses_visible_to, enrolments_visible_to, may_see_whole_roster
from licheng.people.models import Student, User
from licheng.schools.models import SchoolClass, Term
from licheng.schools.selectors import current_term, staff_users
from licheng.schools.views import show_error

# Courses per page of the list: a school of 2,000 students has hundreds of courses a term.
PAGE_SIZE = 100
FIELDS = ("course_code", "credits_per_term", "subject_name", "credits", "school_class", "group_name")


def with_teachers(courses: QuerySet[Course]) -> QuerySet[Course]:
    return courses.select_related("term__academic_year", "school_class").prefetch_related(
        Prefetch(
            "course_teachers",
            queryset=CourseTeacher.objects.select_related("teacher").order_by("teacher__name", "pk"),
        )
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@school_view()
def course_list(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    user: User = request.user  # type: ignore[assignment]
    visible = courses_visible_to(user, school)
    terms = list(Term.objects.filter(school=school).select_related("academic_year"))
    term_id = _int_or_none(request.GET.get("term"))
    if "term" not in request.GET:
        term = current_term(school)
        term_id = term.pk if term else None
    courses = with_teachers(visible)
    if term_id is not None:
        courses = courses.filter(term_id=term_id)
    class_id = _int_or_none(request.GET.get("class"))
    if class_id is not None:
        courses = courses.filter(school_class_id=class_id)
    teacher_id = _int_or_none(request.GET.get("teacher"))
    if teacher_id is not None:
        courses = courses.filter(pk__in=CourseTeacher.objects.filter(teacher_id=teacher_id).values("course_id"))
    search = (request.GET.get("q") or "").strip()
    if search:
        courses = courses.filter(subject_name__icontains=search)
    sees_all = has_permission(user, school, "courses.view_all")
    classes = (
        SchoolClass.objects.filter(school=school, academic_year__terms__pk=term_id).order_by("grade", "name")
        if sees_all and term_id
        else SchoolClass.objects.none()
    )
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "courses/list.html",
        {
            "courses": page.object_list,
            "page": page,
            "query": query.urlencode(),
            "terms": terms,
            "term_id": term_id,
            "classes": classes,
            "class_id": class_id,
            "teachers": staff_users(school) if sees_all else User.objects.none(),
            "teacher_id": teacher_id,
            "q": search,
        },
    )


@school_view()
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    user: User = request.user  # type: ignore[assignment]
    course = get_object_or_404(with_teachers(courses_visible_to(user, school)), pk=pk)
    enrolments = (
        enrolments_visible_to(user, course)
        .select_related("student__school_class")
        .order_by("student__school_class__name", "student__seat", "student__student_number")
    )
    manages = has_permission(user, school, "courses.manage")
    return render(
        request,
        "courses/detail.html",
        {
            "course": course,
            "enrolments": enrolments,
            "whole_roster": may_see_whole_roster(user, course),
            "manages": manages,
            "teacher_form": TeacherForm(school=school) if manages else None,
            "enrolment_form": EnrolmentForm() if manages else None,
        },
    )


def _managed_course(request: HttpRequest, pk: int) -> Course:
    return get_object_or_404(
        Course.objects.select_related("term__academic_year", "school", "school_class"),
        school=request.school,  # type: ignore[attr-defined]
        pk=pk,
    )


@school_view("courses.manage")
def course_create(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    term = current_term(school)
    form = CourseForm(request.POST or None, school=school, initial={"term": term})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = services.course_create(
                actor=Actor.from_request(request),
                term=data["term"],
                teachers=list(data["teachers"]),
                **{name: data[name] for name in FIELDS},
            )
        except ServiceError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Course %(course)s was added.") % {"course": course})
            return redirect("courses:detail", pk=course.pk)
    return render(request, "courses/form.html", {"form": form, "title": _("Add a course")})


@school_view("courses.manage")
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    course = _managed_course(request, pk)
    initial = {name: getattr(course, name) for name in FIELDS}
    form = CourseForm(request.POST or None, school=school, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(
                actor=Actor.from_request(request), course=course, **{n: form.cleaned_data[n] for n in FIELDS}
            )
        except ServiceError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Course %(course)s was saved.") % {"course": course})
            return redirect("courses:detail", pk=course.pk)
    return render(request, "courses/form.html", {"form": form, "title": str(course), "course": course})


@require_POST
@school_view("courses.manage")
def teacher_add(request: HttpRequest, pk: int) -> HttpResponse:
    course = _managed_course(request, pk)
    form = TeacherForm(request.POST, school=request.school)  # type: ignore[attr-defined]
    if not form.is_valid():
        messages.error(request, _("Choose a teacher of this school."))
    else:
        teacher = form.cleaned_data["teacher"]
        try:
            services.course_teacher_add(actor=Actor.from_request(request), course=course, teacher=teacher)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s now teaches this course.") % {"name": teacher})
    return redirect("courses:detail", pk=course.pk)


@require_POST
@school_view("courses.manage")
def teacher_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    course = _managed_course(request, pk)
    teacher = get_object_or_404(User, pk=user_id, course_assignments__course=course)
    try:
        services.course_teacher_remove(actor=Actor.from_request(request), course=course, teacher=teacher)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s no longer teaches this course.") % {"name": teacher})
    return redirect("courses:detail", pk=course.pk)


@require_POST
@school_view("courses.manage")
def enrolment_add(request: HttpRequest, pk: int) -> HttpResponse:
    course = _managed_course(request, pk)
    form = EnrolmentForm(request.POST)
    number = form.cleaned_data["student_number"].strip() if form.is_valid() else ""
    student = Student.objects.filter(school=course.school, student_number=number).first() if number else None
    if student is None:
        messages.error(
            request, _("No student of this school has the student number “%(number)s”.") % {"number": number}
        )
        return redirect("courses:detail", pk=course.pk)
    try:
        services.enrolment_add(actor=Actor.from_request(request), course=course, student=student)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(student)s was enrolled.") % {"student": student})
    return redirect("courses:detail", pk=course.pk)


@require_POST
@school_view("courses.manage")
def enrolment_remove(request: HttpRequest, pk: int, student_id: int) -> HttpResponse:
    course = _managed_course(request, pk)
    student = get_object_or_404(Student, school=course.school, pk=student_id)
    try:
        services.enrolment_remove(actor=Actor.from_request(request), course=course, student=student)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(student)s was removed from this course.") % {"student": student})
    return redirect("courses:detail", pk=course.pk)
