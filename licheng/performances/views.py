"""Pages for performances, selection and writings: the student's own, and the read-only or
reviewing views of homeroom teachers, counsellors, the guidance office and parents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError, ServiceUnavailable, refusal_headers
from licheng.core.permissions import has_role, school_view
from licheng.files.upload import UploadRefused, limit_upload, upload_route, upload_view
from licheng.people.models import Student, User
from licheng.people.roles import Role
from licheng.performances import selectors, services, windows
from licheng.performances.forms import CodeForm, PerformanceForm, ReviewForm, WritingForm
from licheng.performances.kinds import KINDS, display_fields
from licheng.performances.models import Performance, ReviewerRole, Writing, WritingKind
from licheng.performances.writings import SECTIONS, html_to_text
from licheng.schools.models import AcademicYear, School, Term
from licheng.schools.selectors import current_term, rules_for

MB = 1024 * 1024


def _ctx(request: HttpRequest) -> tuple[School, User]:
    return request.school, request.user  # type: ignore[attr-defined, return-value]


def _me(request: HttpRequest) -> Student:
    school, user = _ctx(request)
    student = selectors.own_student(user, school)
    if student is None:
        raise Http404
    return student


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _year(school: School, raw: str | None) -> AcademicYear | None:
    year = _int(raw)
    if year is not None:
        return AcademicYear.objects.filter(school=school, year=year).first()
    term = current_term(school)
    return term.academic_year if term else None


def _form_error(form: Any, error: ServiceError, field_name: str | None = None) -> None:
    name = field_name if field_name in form.fields else None
    form.add_error(name, error.message)


def _file_limit(request: HttpRequest) -> int:
    """The largest file this school accepts now (audio/video are the larger kind)."""
    school = getattr(request, "school", None)
    if school is None:
        return MB
    term = current_term(school)
    rules = rules_for(school, term.academic_year if term else None)
    return max(rules.document_max_mb, rules.media_max_mb) * MB


def _read_upload(request: HttpRequest, files_allowed: int) -> str | None:
    """Read the body within the limits; the refusal's message when a file is too large."""
    try:
        limit_upload(request, _file_limit(request), files_allowed=files_allowed)
    except UploadRefused as error:
        return error.message
    return None


# --- the student's performances ------------------------------------------------------------------


@school_view()
def my_performances(request: HttpRequest) -> HttpResponse:
    school, _user = _ctx(request)
    student = _me(request)
    academic_year = _year(school, request.GET.get("year"))
    performances = list(selectors.performances_of(student, academic_year)) if academic_year else []
    rules = rules_for(school, academic_year)
    uploaded = sum(1 for p in performances if not p.is_staff_verified)
    selected = sum(1 for p in performances if hasattr(p, "selection"))
    return render(
        request,
        "performances/mine.html",
        {
            "student": student,
            "academic_year": academic_year,
            "years": AcademicYear.objects.filter(school=school).order_by("-year"),
            "performances": _with_display(school, performances),
            "uploaded": uploaded,
            "upload_cap": rules.performances_per_year,
            "selected": selected,
            "selection_cap": rules.performances_selected,
            "upload_open": academic_year is not None and windows.upload_open(school, academic_year),
            "selection_open": academic_year is not None and windows.selection_open(school, academic_year),
            "kinds": [(kind, spec.label) for kind, spec in KINDS.items()],
        },
    )


def _with_display(school: School, performances: list[Performance]) -> list[Performance]:
    codes = selectors.codes_for(school, active_only=False)
    for performance in performances:
        performance.display = display_fields(performance.kind, performance.fields, codes)  # type: ignore[attr-defined]
    return performances


def _performance_form_page(request: HttpRequest, *, kind: int, performance: Performance | None) -> HttpResponse:
    school, _user = _ctx(request)
    academic_year = performance.academic_year if performance else _year(school, None)
    rules = rules_for(school, academic_year)
    codes = selectors.codes_for(school)
    status = 200
    unavailable: ServiceUnavailable | None = None
    if request.method == "POST":
        too_large = _read_upload(request, services.MAX_FILES_PER_PERFORMANCE)
        form = PerformanceForm(request.POST, kind=kind, codes=codes, max_chars=rules.description_max_chars)
        if too_large:
            form.is_valid()
            form.add_error(None, too_large)
            status = 413
        elif form.is_valid():
            actor = Actor.from_request(request)
            uploads = request.FILES.getlist("files")
            try:
                if performance is None:
                    performance = services.performance_create(
                        actor=actor,
                        school=school,
                        kind=kind,
                        description=form.cleaned_data["description"],
                        external_link=form.cleaned_data["external_link"],
                        fields=form.kind_values(),
                        uploads=uploads,
                    )
                    messages.success(request, _("Performance added."))
                else:
                    services.performance_update(
                        actor=actor,
                        school=school,
                        performance=performance,
                        description=form.cleaned_data["description"],
                        external_link=form.cleaned_data["external_link"],
                        fields=form.kind_values(),
                        uploads=uploads,
                        remove_file_ids=[i for i in (_int(v) for v in request.POST.getlist("remove_file")) if i],
                    )
                    messages.success(request, _("Performance saved."))
                return redirect("performances:detail", pk=performance.pk)
            except ServiceError as error:
                _form_error(form, error, form.field_name(error.field) if error.field else None)
                unavailable = error if isinstance(error, ServiceUnavailable) else None
                status = 503 if unavailable else status
    else:
        form = PerformanceForm(
            initial=PerformanceForm.initial_from(performance) if performance else None,
            kind=kind,
            codes=codes,
            max_chars=rules.description_max_chars,
        )
    response = render(
        request,
        "performances/form.html",
        {
            "form": form,
            "kind_label": KINDS[kind].label,
            "performance": performance,
            "academic_year": academic_year,
            "upload_open": academic_year is not None and windows.upload_open(school, academic_year),
            "rules": rules,
            # a page shown again after an error cannot keep a chosen file (browsers clear file
            # fields): it names the files the student attached and says to attach them again
            "dropped_files": [f.name for f in request.FILES.getlist("files")] if request.method == "POST" else [],
        },
        status=status,
    )
    for header, value in refusal_headers(unavailable).items():  # file storage out of reach: try again
        response[header] = value
    return response


@upload_route("performances:create", _file_limit, files_allowed=services.MAX_FILES_PER_PERFORMANCE)
@upload_view(_file_limit, files_allowed=services.MAX_FILES_PER_PERFORMANCE)
@school_view()
def performance_create(request: HttpRequest, kind: int) -> HttpResponse:
    _me(request)
    if kind not in KINDS:
        raise Http404
    return _performance_form_page(request, kind=kind, performance=None)


def _own_performance(request: HttpRequest, pk: int) -> Performance:
    school, _user = _ctx(request)
    student = _me(request)
    return get_object_or_404(
        selectors.with_files(Performance.objects.filter(school=school, student=student, withdrawn_at__isnull=True)),
        pk=pk,
    )


@upload_route("performances:edit", _file_limit, files_allowed=services.MAX_FILES_PER_PERFORMANCE)
@upload_view(_file_limit, files_allowed=services.MAX_FILES_PER_PERFORMANCE)
@school_view()
def performance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    performance = _own_performance(request, pk)
    if performance.is_staff_verified:
        raise Http404
    return _performance_form_page(request, kind=performance.kind, performance=performance)


@school_view()
@require_POST
def performance_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    school, _user = _ctx(request)
    performance = _own_performance(request, pk)
    try:
        services.performance_withdraw(actor=Actor.from_request(request), school=school, performance=performance)
        messages.success(request, _("Performance withdrawn."))
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("performances:detail", pk=pk)
    return redirect(reverse("performances:mine") + f"?year={performance.academic_year.year}")


@school_view()
def performance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school, user = _ctx(request)
    performance = selectors.performance_visible_to(user, school, pk)
    if performance is None:
        raise Http404
    is_owner = performance.student.user_id == user.pk
    return render(
        request,
        "performances/detail.html",
        {
            "performance": _with_display(school, [performance])[0],
            "is_owner": is_owner,
            "may_change": is_owner
            and not performance.is_staff_verified
            and performance.withdrawn_at is None
            and windows.upload_open(school, performance.academic_year),
        },
    )


@school_view()
def performance_file(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    """A file of a performance (``?preview=1`` for its preview), for whoever may see the performance."""
    from licheng.files.views import file_response, preview_response

    school, user = _ctx(request)
    performance = selectors.performance_visible_to(user, school, pk)
    if performance is None:
        raise Http404
    for attached in performance.performance_files.all():
        if attached.stored_file_id == file_id:
            if request.GET.get("preview"):
                return preview_response(request, attached.stored_file)
            return file_response(request, attached.stored_file)
    raise Http404


# --- selection -----------------------------------------------------------------------------------


def _selection_context(request: HttpRequest, student: Student, academic_year: AcademicYear | None) -> dict[str, Any]:
    school, _user = _ctx(request)
    performances = list(selectors.performances_of(student, academic_year)) if academic_year else []
    rules = rules_for(school, academic_year)
    return {
        "academic_year": academic_year,
        "years": AcademicYear.objects.filter(school=school).order_by("-year"),
        "performances": performances,
        "selected": sum(1 for p in performances if hasattr(p, "selection")),
        "selection_cap": rules.performances_selected,
        "selection_open": academic_year is not None and windows.selection_open(school, academic_year),
    }


@school_view()
def selection(request: HttpRequest) -> HttpResponse:
    school, _user = _ctx(request)
    student = _me(request)
    return render(
        request,
        "performances/selection.html",
        _selection_context(request, student, _year(school, request.GET.get("year"))),
    )


@school_view()
@require_POST
def selection_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Select or unselect one performance; answers htmx with the refreshed list and counters."""
    school, _user = _ctx(request)
    performance = _own_performance(request, pk)
    actor = Actor.from_request(request)
    error = None
    try:
        if request.POST.get("selected") == "1":
            services.performance_select(actor=actor, school=school, performance=performance)
        else:
            services.performance_unselect(actor=actor, school=school, performance=performance)
    except ServiceError as refused:
        error = refused.message
    student = _me(request)
    if getattr(request, "htmx", False):
        context = _selection_context(request, student, performance.academic_year)
        context["error"] = error
        return render(request, "performances/_selection_list.html", context)
    if error:
        messages.error(request, error)
    return redirect(reverse("performances:selection") + f"?year={performance.academic_year.year}")


# --- writings ------------------------------------------------------------------------------------


def _term(school: School, raw: str | None) -> Term | None:
    pk = _int(raw)
    if pk is not None:
        return Term.objects.filter(school=school, pk=pk).select_related("academic_year").first()
    return current_term(school)


def _writing_rows(writings: dict[str, Writing]) -> list[dict[str, Any]]:
    rows = []
    for kind in WritingKind:
        writing = writings.get(kind.value)
        rows.append(
            {
                "kind": kind,
                "writing": writing,
                "sections": [
                    (label, writing.sections.get(key, "") if writing else "") for key, label in SECTIONS[kind.value]
                ],
                "reviews": {r.role: r for r in writing.reviews.all()} if writing else {},
            }
        )
    return rows


@school_view()
def my_writings(request: HttpRequest) -> HttpResponse:
    school, _user = _ctx(request)
    student = _me(request)
    term = _term(school, request.GET.get("term"))
    return render(
        request,
        "performances/writings.html",
        {
            "student": student,
            "term": term,
            "terms": Term.objects.filter(school=school).select_related("academic_year"),
            "rows": _writing_rows(selectors.writings_of(student, term)) if term else [],
            "may_write": term is not None and windows.writing_open(school, term),
        },
    )


@upload_route("performances:writing_edit", _file_limit)
@upload_view(_file_limit)
@school_view()
def writing_edit(request: HttpRequest, kind: str) -> HttpResponse:
    school, _user = _ctx(request)
    student = _me(request)
    if kind not in WritingKind.values:
        raise Http404
    term = current_term(school)
    if term is None:
        raise Http404
    writing = selectors.writings_of(student, term).get(kind)
    status = 200
    if request.method == "POST":
        too_large = _read_upload(request, 1)
        form = WritingForm(request.POST, kind=kind)
        if too_large:
            form.is_valid()
            form.add_error(None, too_large)
            status = 413
        elif form.is_valid():
            try:
                services.writing_save(
                    actor=Actor.from_request(request),
                    school=school,
                    kind=kind,
                    sections=form.sections(),
                    attachment=request.FILES.get("attachment"),
                    remove_attachment=form.cleaned_data["remove_attachment"],
                )
                messages.success(request, _("Saved."))
                return redirect("performances:writings")
            except ServiceError as error:
                _form_error(form, error, error.field)
    else:
        # the kept HTML back as the text the student types (paragraphs, **bold**, lists …)
        initial = {key: html_to_text(html) for key, html in writing.sections.items()} if writing else None
        form = WritingForm(initial=initial, kind=kind)
    return render(
        request,
        "performances/writing_form.html",
        {
            "form": form,
            "kind_label": WritingKind(kind).label,
            "term": term,
            "writing": writing,
            "may_write": windows.writing_open(school, term),
        },
        status=status,
    )


@school_view()
def writing_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    from licheng.files.views import file_response, preview_response

    school, user = _ctx(request)
    writing = selectors.writing_visible_to(user, school, pk)
    if writing is None or writing.attachment is None:
        raise Http404
    if request.GET.get("preview"):
        return preview_response(request, writing.attachment)
    return file_response(request, writing.attachment)


@school_view()
@require_POST
def writing_review(request: HttpRequest, pk: int) -> HttpResponse:
    school, user = _ctx(request)
    writing = selectors.writing_visible_to(user, school, pk)
    if writing is None:
        raise Http404
    if not _may_review_any(user, school, writing.student):
        raise PermissionDenied
    role = request.POST.get("role", "")
    if role not in ReviewerRole.values:
        role = (
            ReviewerRole.HOMEROOM if selectors.may_review_as_homeroom(user, writing.student) else ReviewerRole.GUIDANCE
        )
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        services.writing_review(
            actor=Actor.from_request(request),
            school=school,
            writing=writing,
            role=role,
            comment=form.cleaned_data.get("comment", ""),
            checked=bool(form.cleaned_data.get("checked")),
        )
        messages.success(request, _("Review saved."))
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect(reverse("performances:student", kwargs={"pk": writing.student_id}) + f"?term={writing.term_id}")


def _may_review_any(user: User, school: School, student: Student) -> bool:
    return selectors.may_review_as_homeroom(user, student) or selectors.may_review_as_guidance(user, school)


# --- other people's views: a student's portfolio, class overviews --------------------------------


@school_view()
def student_portfolio(request: HttpRequest, pk: int) -> HttpResponse:
    """One student's performances and writings, for their homeroom teacher, counsellor, the guidance
    office and staff who see all (with review forms where the user reviews), and read-only for
    their parent."""
    school, user = _ctx(request)
    student = get_object_or_404(selectors.students_visible_to(user, school).select_related("school_class"), pk=pk)
    academic_year = _year(school, request.GET.get("year"))
    term = _term(school, request.GET.get("term"))
    performances = list(selectors.performances_of(student, academic_year)) if academic_year else []
    rules = rules_for(school, academic_year)
    review_roles = []
    if selectors.may_review_as_homeroom(user, student):
        review_roles.append(ReviewerRole.HOMEROOM)
    if selectors.may_review_as_guidance(user, school):
        review_roles.append(ReviewerRole.GUIDANCE)
    return render(
        request,
        "performances/student.html",
        {
            "student": student,
            "academic_year": academic_year,
            "years": AcademicYear.objects.filter(school=school).order_by("-year"),
            "term": term,
            "terms": Term.objects.filter(school=school).select_related("academic_year"),
            "performances": _with_display(school, performances),
            "uploaded": sum(1 for p in performances if not p.is_staff_verified),
            "upload_cap": rules.performances_per_year,
            "selected": sum(1 for p in performances if hasattr(p, "selection")),
            "selection_cap": rules.performances_selected,
            "rows": _writing_rows(selectors.writings_of(student, term)) if term else [],
            "review_roles": [(r, ReviewerRole(r).label) for r in review_roles],
            # the class overview only for those who may open it (a parent may not)
            "may_open_class": student.school_class_id is not None
            and selectors.classes_for_overview(user, school, None).filter(pk=student.school_class_id).exists(),
        },
    )


def _may_open_overview(user: User, school: School) -> bool:
    return selectors.sees_all(user, school) or has_role(user, school, Role.HOMEROOM_TEACHER, Role.COURSE_COUNSELLOR)


@school_view()
def class_list(request: HttpRequest) -> HttpResponse:
    school, user = _ctx(request)
    if not _may_open_overview(user, school):
        raise PermissionDenied
    term = current_term(school)
    classes = selectors.classes_for_overview(user, school, term.academic_year if term else None)
    return render(
        request,
        "performances/classes.html",
        {"classes": selectors.classes_with_writing_counts(classes, term), "term": term},
    )


@school_view()
def class_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """Writing status this term and performance counts for each student of a class; who has written
    nothing this term stands out."""
    school, user = _ctx(request)
    school_class = get_object_or_404(selectors.classes_for_overview(user, school, None), pk=pk)
    term = _term(school, request.GET.get("term"))
    rules = rules_for(school, term.academic_year if term else None)
    students = selectors.class_overview(school_class, term)
    for student in students:
        kinds = {w.kind: w for w in getattr(student, "writing_list", [])}
        student.writing_status = [  # type: ignore[attr-defined]
            {
                "kind": kind,
                "writing": kinds.get(kind.value),
                "checked": {r.role for r in kinds[kind.value].reviews.all() if r.checked_at}
                if kind.value in kinds
                else set(),
            }
            for kind in WritingKind
        ]
        student.has_writing = bool(kinds)  # type: ignore[attr-defined]
    return render(
        request,
        "performances/class_overview.html",
        {
            "school_class": school_class,
            "term": term,
            "terms": Term.objects.filter(school=school).select_related("academic_year"),
            "students": students,
            "without_writing": len([s for s in students if not getattr(s, "has_writing", False)]),
            "upload_cap": rules.performances_per_year,
            "selection_cap": rules.performances_selected,
            "writing_kinds": list(WritingKind),
        },
    )


# --- code tables ---------------------------------------------------------------------------------


@school_view("performances.manage_codes")
def codes(request: HttpRequest) -> HttpResponse:
    school, _user = _ctx(request)
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                services.performance_code_save(
                    actor=Actor.from_request(request),
                    school=school,
                    table=form.cleaned_data["table"],
                    code=form.cleaned_data["code"],
                    label=form.cleaned_data["label"],
                    active=form.cleaned_data["active"],
                )
                messages.success(request, _("Code saved."))
                return redirect("performances:codes")
            except ServiceError as error:
                _form_error(form, error, error.field)
    else:
        form = CodeForm()
    return render(request, "performances/codes.html", {"form": form, "rows": selectors.code_rows(school)})
