"""Pages for course outcomes: the student's own list and upload, one outcome, the teacher's
certification queue, selection, the homeroom class view, the school overview, the reason table and
window extensions. Files are served only after the outcome is visible to the user (else 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError, refusal_headers
from licheng.core.permissions import has_role, school_view
from licheng.files.upload import limit_upload, upload_route, upload_view
from licheng.files.views import file_response, preview_response
from licheng.people.models import Student, User
from licheng.people.roles import STAFF_ROLES
from licheng.people.selectors import may
from licheng.portfolio import selectors, services
from licheng.portfolio.models import (
    CourseOutcome,
    CourseOutcomeFile,
    CourseOutcomeVersion,
    VersionState,
    WindowExtension,
    WindowKind,
)
from licheng.portfolio.windows import open_terms, selection_open, window_open
from licheng.schools.forms import RocDateField
from licheng.schools.models import SchoolClass, Term
from licheng.schools.selectors import current_term, rules_for

MB = 1024 * 1024
MAX_FILES = 5


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _me(request: HttpRequest) -> tuple[Any, User]:
    return request.school, request.user  # type: ignore[attr-defined,return-value]


def _my_student(request: HttpRequest) -> Student:
    school, user = _me(request)
    student = selectors.student_of(user, school)
    if student is None:
        raise Http404
    return student


def _file_limit(request: HttpRequest) -> int:
    """The largest file any kind may be (each file's own kind limit is checked when it is stored)."""
    school = getattr(request, "school", None)
    if school is None:
        return 1
    rules = rules_for(school, None)
    return max(rules.media_max_mb, rules.document_max_mb) * MB


def _files_from(request: HttpRequest) -> list[Any]:
    """The uploaded files; refuses too many or too large ones before anything is stored."""
    limit_upload(request, _file_limit(request), files_allowed=MAX_FILES)
    files = request.FILES.getlist("files")
    if len(files) > MAX_FILES:
        raise ServiceError(_("Upload at most %(count)d files at a time.") % {"count": MAX_FILES}, field="files")
    return files


def _visible_outcome(request: HttpRequest, pk: int) -> CourseOutcome:
    school, user = _me(request)
    return get_object_or_404(selectors.with_details(selectors.outcomes_visible_to(user, school)), pk=pk)


def _student_terms(student: Student) -> list[Term]:
    return list(
        Term.objects.filter(school_id=student.school_id, academic_year__year__gte=student.entry_year)
        .select_related("academic_year")
        .order_by("starts_on")
    )


# --- the student's own course outcomes -----------------------------------------------------------


@upload_route("portfolio:my_outcomes", _file_limit, files_allowed=MAX_FILES)
@upload_view(_file_limit, files_allowed=MAX_FILES)
@school_view()
def my_outcomes(request: HttpRequest) -> HttpResponse:
    """The student's course outcomes with counters, windows and the upload form."""
    school, user = _me(request)
    student = _my_student(request)
    terms = _student_terms(student)
    upload_terms = open_terms("upload", terms, user)
    term = upload_terms[-1] if upload_terms else current_term(school)
    courses = list(selectors.uploadable_courses(student, upload_terms))
    error = None
    values = {"course": "", "description": ""}
    if request.method == "POST":
        values = {"course": request.POST.get("course", ""), "description": request.POST.get("description", "")}
        course = next((c for c in courses if str(c.pk) == values["course"]), None)
        try:
            uploads = _files_from(request)
            if course is None:
                raise ServiceError(_("Choose one of your credit-bearing courses of the term."), field="course")
            outcome = services.course_outcome_upload(
                actor=_actor(request),
                student=student,
                course=course,
                description=values["description"],
                uploads=uploads,
            )
        except ServiceError as refusal:
            error = refusal
        else:
            messages.success(request, _("Your course outcome was uploaded. It now awaits certification."))
            return redirect("portfolio:outcome_detail", pk=outcome.pk)
    outcomes = list(
        selectors.with_details(
            CourseOutcome.objects.filter(school=school, student=student, withdrawn_at__isnull=True)
        ).order_by("-term__starts_on", "course__subject_name", "pk")
    )
    for outcome in outcomes:
        outcome.current = selectors.current_version(outcome)  # type: ignore[attr-defined]
        outcome.certified = selectors.certified_version(outcome)  # type: ignore[attr-defined]
    counters = selectors.counters_for(student, term) if term else None
    rules = rules_for(school, term.academic_year) if term else None
    response = render(
        request,
        "portfolio/my_outcomes.html",
        {
            "student": student,
            "term": term,
            "upload_terms": upload_terms,
            "counters": counters,
            # the form is not offered once the term's or the year's cap is reached (e.g. 9/9)
            "cap_reached": counters is not None
            and (counters.term_uploaded >= counters.term_cap or counters.year_uploaded >= counters.year_cap),
            "rules": rules,
            "courses": courses,
            "outcomes": outcomes,
            "error": error,
            "values": values,
            "max_files": MAX_FILES,
        },
        status=error.status if error else 200,
    )
    for header, value in refusal_headers(error).items():
        response[header] = value
    return response


@school_view()
def outcome_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _school, user = _me(request)
    outcome = _visible_outcome(request, pk)
    versions = sorted(outcome.versions.all(), key=lambda v: -v.number)
    is_owner = outcome.student.user_id == user.pk
    return render(
        request,
        "portfolio/outcome_detail.html",
        {
            "outcome": outcome,
            "versions": versions,
            "current": versions[0] if versions else None,
            "certified": selectors.certified_version(outcome),
            "is_owner": is_owner,
            "can_edit": is_owner and outcome.withdrawn_at is None and window_open("upload", outcome.term, user),
            "selected": bool(list(outcome.selections.all())),
            "max_files": MAX_FILES,
        },
    )


def _owned_outcome(request: HttpRequest, pk: int) -> CourseOutcome:
    outcome = _visible_outcome(request, pk)
    if outcome.student.user_id != request.user.pk:
        raise Http404
    return outcome


@upload_route("portfolio:outcome_edit", _file_limit, files_allowed=MAX_FILES)
@upload_view(_file_limit, files_allowed=MAX_FILES)
@require_POST
@school_view()
def outcome_edit(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = _owned_outcome(request, pk)
    try:
        uploads = _files_from(request)
        remove = [int(v) for v in request.POST.getlist("remove") if v.isdigit()]
        services.course_outcome_edit(
            actor=_actor(request),
            outcome=outcome,
            description=request.POST.get("description", ""),
            uploads=uploads,
            remove_file_ids=remove,
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your changes were saved."))
    return redirect("portfolio:outcome_detail", pk=outcome.pk)


@require_POST
@school_view()
def outcome_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = _owned_outcome(request, pk)
    try:
        services.course_outcome_withdraw(actor=_actor(request), outcome=outcome)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("portfolio:outcome_detail", pk=outcome.pk)
    messages.success(request, _("The course outcome was withdrawn."))
    return redirect("portfolio:my_outcomes")


# --- files ----------------------------------------------------------------------------------------


def _visible_file(request: HttpRequest, pk: int) -> CourseOutcomeFile:
    school, user = _me(request)
    row: CourseOutcomeFile = get_object_or_404(
        CourseOutcomeFile.objects.select_related("stored_file", "version"), pk=pk, school=school
    )
    if not selectors.outcomes_visible_to(user, school).filter(pk=row.version.outcome_id).exists():
        raise Http404
    return row


@school_view()
def file_view(request: HttpRequest, pk: int) -> HttpResponse:
    row = _visible_file(request, pk)
    download = request.GET.get("download") == "1"
    return file_response(request, row.stored_file, inline=not download, download_name=row.stored_file.original_name)


@school_view()
def file_preview(request: HttpRequest, pk: int) -> HttpResponse:
    row = _visible_file(request, pk)
    return preview_response(request, row.stored_file)


# --- certification --------------------------------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    school, user = _me(request)
    if not has_role(user, school, *STAFF_ROLES):
        raise PermissionDenied


@school_view()
def queue(request: HttpRequest) -> HttpResponse:
    """The courses the user certifies, and one course's outcomes by state."""
    _require_staff(request)
    school, user = _me(request)
    state = request.GET.get("state") or VersionState.PENDING
    if state not in VersionState.values:
        state = VersionState.PENDING
    term = current_term(school)
    today = timezone.localdate()
    # a term that has not started yet has nothing to certify: its courses stay off the list until
    # an outcome arrives
    courses = [
        c
        for c in selectors.queue_courses(user, school, None)
        if c.term.starts_on <= today or any(c.counts.values())  # type: ignore[attr-defined]
    ]
    course_id = request.GET.get("course")
    course = next((c for c in courses if str(c.pk) == course_id), None)
    if course_id and course is None:
        raise Http404
    versions = list(selectors.queue_for(user, school, state=state, course_id=course.pk if course else None))
    services.ensure_default_reasons(school)
    window = term is not None and window_open("certification", term, user)
    return render(
        request,
        "portfolio/queue.html",
        {
            "courses": courses,
            "course": course,
            "state": state,
            "states": VersionState.choices,
            "versions": versions,
            "reasons": list(selectors.reasons_of(school)),
            "term": term,
            "window_open": window,
        },
    )


def _queue_redirect(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=request.is_secure()):
        return redirect(target)
    return redirect("portfolio:queue")


def _certifiable_version(request: HttpRequest, pk: int) -> CourseOutcomeVersion:
    school, user = _me(request)
    course_ids = list(selectors.certifier_map(user, school))
    return get_object_or_404(
        CourseOutcomeVersion.objects.select_related("outcome__student", "outcome__course"),
        pk=pk,
        school=school,
        outcome__course_id__in=course_ids,
    )


@require_POST
@school_view()
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    school, _user = _me(request)
    version = _certifiable_version(request, pk)
    passed = request.POST.get("decision") == "pass"
    reason = None
    if not passed:
        reason = selectors.reasons_of(school).filter(pk=request.POST.get("reason") or 0).first()
    try:
        services.course_outcome_decide(
            actor=_actor(request),
            version=version,
            passed=passed,
            reason=reason,
            reason_text=request.POST.get("reason_text", ""),
        )
    except ServiceError as error:
        messages.error(request, f"{version.outcome.student.name}: {error.message}")
    else:
        named = {
            "name": version.outcome.student.name,
            "course": version.outcome.course.subject_name,
            "item": version.description.strip()[:30],
        }
        messages.success(
            request,
            _("%(name)s, %(course)s “%(item)s”: certified.") % named
            if passed
            else _("%(name)s, %(course)s “%(item)s”: not passed.") % named,
        )
    return _queue_redirect(request)


@require_POST
@school_view()
def pass_selected(request: HttpRequest) -> HttpResponse:
    school, user = _me(request)
    ids = [int(v) for v in request.POST.getlist("version") if v.isdigit()]
    if not ids:
        messages.error(request, _("Tick at least one course outcome."))
        return _queue_redirect(request)
    versions = list(
        CourseOutcomeVersion.objects.filter(
            school=school, pk__in=ids, outcome__course_id__in=list(selectors.certifier_map(user, school))
        ).select_related("outcome__student")
    )
    if len(versions) != len(set(ids)):
        raise Http404
    passed, problems = services.course_outcome_pass_many(actor=_actor(request), versions=versions)
    if passed:
        messages.success(request, _("%(count)d course outcomes certified.") % {"count": passed})
    for problem in problems:
        messages.error(request, problem)
    return _queue_redirect(request)


# --- selection ------------------------------------------------------------------------------------


def _selection_context(request: HttpRequest, student: Student) -> dict[str, Any]:
    school, user = _me(request)
    term = current_term(school)
    outcomes = []
    if term is not None:
        outcomes = list(
            selectors.with_details(
                CourseOutcome.objects.filter(
                    school=school,
                    student=student,
                    academic_year_id=term.academic_year_id,
                    withdrawn_at__isnull=True,
                    versions__state=VersionState.PASSED,
                ).distinct()
            ).order_by("term__starts_on", "course__subject_name", "pk")
        )
    for outcome in outcomes:
        outcome.certified = selectors.certified_version(outcome)  # type: ignore[attr-defined]
        outcome.selected = bool(list(outcome.selections.all()))  # type: ignore[attr-defined]
    counters = selectors.counters_for(student, term) if term else None
    return {
        "term": term,
        "outcomes": outcomes,
        "counters": counters,
        "window_open": term is not None and selection_open(term.academic_year, user),
        "full": counters is not None and counters.selected >= counters.selected_cap,
    }


@school_view()
def selection(request: HttpRequest) -> HttpResponse:
    student = _my_student(request)
    return render(request, "portfolio/selection.html", _selection_context(request, student))


@require_POST
@school_view()
def select_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = _owned_outcome(request, pk)
    error = None
    try:
        if request.POST.get("selected") == "1":
            services.course_outcome_select(actor=_actor(request), outcome=outcome)
        else:
            services.course_outcome_unselect(actor=_actor(request), outcome=outcome)
    except ServiceError as refusal:
        error = refusal.message
    context = _selection_context(request, outcome.student)
    if getattr(request, "htmx", False):
        context["error"] = error
        # 200 even for a refusal: htmx swaps only successful answers, and the message must show.
        return render(request, "portfolio/_selection_body.html", context)
    if error:
        messages.error(request, error)
    return redirect("portfolio:selection")


# --- homeroom class view, overview, a student's outcomes --------------------------------------------


@school_view()
def class_list(request: HttpRequest) -> HttpResponse:
    school, user = _me(request)
    classes = (
        SchoolClass.objects.filter(school=school)
        .select_related("academic_year")
        .order_by("-academic_year__year", "grade", "name")
    )
    if not may(user, school, "portfolio.view_all"):
        if not has_role(user, school, *STAFF_ROLES):
            raise PermissionDenied
        classes = classes.filter(Q(homeroom_teacher=user) | Q(counsellor=user))
    return render(request, "portfolio/class_list.html", {"classes": classes})


def _visible_class(request: HttpRequest, pk: int) -> SchoolClass:
    school, user = _me(request)
    classes = SchoolClass.objects.filter(school=school).select_related("academic_year")
    if not may(user, school, "portfolio.view_all"):
        classes = classes.filter(Q(homeroom_teacher=user) | Q(counsellor=user))
    return get_object_or_404(classes, pk=pk)


@school_view()
def class_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Per student: uploaded and certified this term, selected this year; reminders."""
    school, user = _me(request)
    school_class = _visible_class(request, pk)
    term = current_term(school)
    if term is None or term.academic_year_id != school_class.academic_year_id:
        term = (
            Term.objects.filter(school=school, academic_year=school_class.academic_year)
            .select_related("academic_year")
            .order_by("-starts_on")
            .first()
        )
    students = []
    if term is not None:
        students = selectors.class_progress(
            Student.objects.filter(school=school, school_class=school_class), term, school_class.academic_year
        )
    rules = rules_for(school, school_class.academic_year)
    return render(
        request,
        "portfolio/class_view.html",
        {
            "school_class": school_class,
            "term": term,
            "students": students,
            "rules": rules,
            "can_remind": school_class.homeroom_teacher_id == user.pk,
        },
    )


@require_POST
@school_view()
def class_remind(request: HttpRequest, pk: int) -> HttpResponse:
    school, _user = _me(request)
    school_class = _visible_class(request, pk)
    ids = [int(v) for v in request.POST.getlist("student") if v.isdigit()]
    students = list(Student.objects.filter(school=school, school_class=school_class, pk__in=ids).select_related("user"))
    try:
        count = services.reminder_send(actor=_actor(request), school_class=school_class, students=students)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Reminder sent to %(count)d students.") % {"count": count})
    return redirect("portfolio:class_view", pk=school_class.pk)


@school_view("portfolio.view_all")
def overview(request: HttpRequest) -> HttpResponse:
    """Registry overview: per class, students, uploaded / certified this term, selected this year."""
    school, _user = _me(request)
    term = current_term(school)
    rows: list[Any] = []
    if term is not None:
        live = Q(
            students__course_outcomes__term=term,
            students__course_outcomes__withdrawn_at__isnull=True,
        )
        rows = list(
            SchoolClass.objects.filter(school=school, academic_year_id=term.academic_year_id)
            .annotate(
                student_count=Count("students", distinct=True),
                uploaded=Count("students__course_outcomes", filter=live, distinct=True),
                certified=Count(
                    "students__course_outcomes",
                    filter=live & Q(students__course_outcomes__versions__state="passed"),
                    distinct=True,
                ),
                selected=Count(
                    "students__outcome_selections",
                    filter=Q(students__outcome_selections__academic_year_id=term.academic_year_id),
                    distinct=True,
                ),
            )
            .order_by("grade", "name")
        )
    return render(request, "portfolio/overview.html", {"term": term, "rows": rows})


@school_view()
def student_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    """One student's course outcomes, read only: for their parents, homeroom teacher and staff."""
    school, user = _me(request)
    outcomes_qs = selectors.outcomes_visible_to(user, school)
    student: Student = get_object_or_404(Student.objects.select_related("school_class"), pk=pk, school=school)
    relation = (
        student.user_id == user.pk
        or may(user, school, "portfolio.view_all")
        or student.parent_links.filter(parent=user).exists()
        or (
            student.school_class is not None
            and user.pk in (student.school_class.homeroom_teacher_id, student.school_class.counsellor_id)
        )
    )
    if not relation:
        raise Http404
    outcomes = list(
        selectors.with_details(outcomes_qs.filter(student=student, withdrawn_at__isnull=True)).order_by(
            "-term__starts_on", "course__subject_name", "pk"
        )
    )
    for outcome in outcomes:
        outcome.current = selectors.current_version(outcome)  # type: ignore[attr-defined]
        outcome.certified = selectors.certified_version(outcome)  # type: ignore[attr-defined]
        outcome.selected = bool(list(outcome.selections.all()))  # type: ignore[attr-defined]
    return render(request, "portfolio/student_outcomes.html", {"student": student, "outcomes": outcomes})


@school_view()
def children(request: HttpRequest) -> HttpResponse:
    """A parent's children, each linking to their course outcomes (read only)."""
    school, user = _me(request)
    students = list(
        Student.objects.filter(school=school, parent_links__parent=user)
        .select_related("school_class")
        .order_by("name", "pk")
        .distinct()
    )
    if not students:
        raise Http404
    return render(request, "portfolio/children.html", {"students": students})


# --- the school's reason table and window extensions -----------------------------------------------


@school_view("portfolio.manage_reasons")
def reasons(request: HttpRequest) -> HttpResponse:
    school, _user = _me(request)
    services.ensure_default_reasons(school)
    error = None
    if request.method == "POST":
        try:
            services.certification_reason_save(
                actor=_actor(request),
                school=school,
                code=request.POST.get("code", ""),
                label=request.POST.get("label", ""),
                requires_text=bool(request.POST.get("requires_text")),
                active=bool(request.POST.get("active")),
            )
        except ServiceError as refusal:
            error = refusal
        else:
            messages.success(request, _("The reason table was saved."))
            return redirect("portfolio:reasons")
    return render(
        request,
        "portfolio/reasons.html",
        {"reasons": selectors.reasons_of(school, active_only=False), "error": error},
        status=422 if error else 200,
    )


@require_POST
@school_view("portfolio.grant_extensions")
def extension_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    school, _user = _me(request)
    extension: WindowExtension = get_object_or_404(
        WindowExtension.objects.filter(school=school).select_related("user"), pk=pk
    )
    try:
        services.window_extension_revoke(actor=_actor(request), extension=extension)
    except ServiceError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The extension for %(person)s was revoked.") % {"person": extension.user})
    return redirect("portfolio:extensions")


@school_view("portfolio.grant_extensions")
def extensions(request: HttpRequest) -> HttpResponse:
    school, _user = _me(request)
    terms = list(Term.objects.filter(school=school).select_related("academic_year").order_by("-starts_on"))
    error = None
    if request.method == "POST":
        try:
            username = (request.POST.get("username") or "").strip()
            person = User.objects.filter(school=school, username=username).first()
            if person is None:
                raise ServiceError(_("No one in this school has that username."), field="username")
            term = next((t for t in terms if str(t.pk) == request.POST.get("term")), None)
            if term is None:
                raise ServiceError(_("Choose a term."), field="term")
            if not (request.POST.get("until") or "").strip():
                raise ServiceError(_("Enter the last day of the extension."), field="until")
            try:
                until = RocDateField().clean(request.POST.get("until"))
            except ValidationError as invalid:
                raise ServiceError(" ".join(invalid.messages), field="until") from None
            services.window_extension_grant(
                actor=_actor(request),
                user=person,
                kind=request.POST.get("kind", ""),
                term=term,
                until=until,
                reason=request.POST.get("reason", ""),
            )
        except ServiceError as refusal:
            error = refusal
        else:
            messages.success(request, _("The extension was granted."))
            return redirect("portfolio:extensions")
    rows = (
        WindowExtension.objects.filter(school=school, until__gte=timezone.localdate())
        .select_related("user", "term__academic_year", "granted_by")
        .order_by("until", "pk")
    )
    return render(
        request,
        "portfolio/extensions.html",
        {"rows": rows, "terms": terms, "kinds": WindowKind.choices, "error": error},
        status=422 if error else 200,
    )
