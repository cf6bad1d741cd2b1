"""Pages for the school's settings: rules, calendar, divisions and classes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.core.permissions import school_view
from licheng.schools import services
from licheng.schools.forms import AcademicYearForm, ClassForm, DivisionForm, RulesForm, RulesOverrideForm, TermForm
from licheng.schools.models import AcademicYear, Division, Grade, SchoolClass, SchoolRules, Term
from licheng.schools.selectors import academic_years_of, classes_visible_to, current_term, rules_for, staff_users


def show_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Put a service's refusal on the form, next to the field at fault when there is one."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def rule_label(name: str) -> str:
    field = SchoolRules._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


# --- settings and rules ---------------------------------------------------------------------------


@school_view("school.view_settings")
def settings_overview(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    overrides = SchoolRules.objects.filter(school=school).exclude(academic_year=None).select_related("academic_year")
    standing = rules_for(school, None)
    return render(
        request,
        "schools/settings.html",
        {
            "standing_rows": [(rule_label(n), getattr(standing, n)) for n in SchoolRules.NUMBER_FIELDS],
            "overrides": sorted(overrides, key=lambda r: -r.academic_year.year),  # type: ignore[union-attr]
            "divisions": Division.objects.filter(school=school),
            "current_term": current_term(school),
            "override_form": RulesOverrideForm(school=school),
        },
    )


def _rules_edit(request: HttpRequest, academic_year: AcademicYear | None) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    rules = get_object_or_404(SchoolRules, school=school, academic_year=academic_year)
    form = RulesForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        try:
            services.rules_update(
                actor=Actor.from_request(request), school=school, academic_year=academic_year, values=form.values()
            )
        except ServiceError as error:
            rules.refresh_from_db()
            show_error(form, error)
        else:
            messages.success(request, _("The rules were saved."))
            return redirect("schools:settings")
    return render(request, "schools/rules_form.html", {"form": form, "academic_year": academic_year})


@school_view("school.manage_settings")
def rules_edit(request: HttpRequest) -> HttpResponse:
    return _rules_edit(request, None)


@school_view("school.manage_settings")
def rules_year_edit(request: HttpRequest, year: int) -> HttpResponse:
    academic_year = get_object_or_404(AcademicYear, school=request.school, year=year)  # type: ignore[attr-defined]
    return _rules_edit(request, academic_year)


@require_POST
@school_view("school.manage_settings")
def rules_override_create(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    form = RulesOverrideForm(request.POST, school=school)
    if not form.is_valid():
        messages.error(request, _("Choose an academic year that has no rules of its own yet."))
        return redirect("schools:settings")
    academic_year = form.cleaned_data["academic_year"]
    try:
        services.rules_override_for_year(actor=Actor.from_request(request), school=school, academic_year=academic_year)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("schools:settings")
    messages.success(request, _("Academic year %(year)s now has its own rules.") % {"year": academic_year.year})
    return redirect("schools:rules_year_edit", year=academic_year.year)


@require_POST
@school_view("school.manage_settings")
def rules_override_remove(request: HttpRequest, year: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    academic_year = get_object_or_404(AcademicYear, school=school, year=year)
    try:
        services.rules_override_remove(actor=Actor.from_request(request), school=school, academic_year=academic_year)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Academic year %(year)s follows the standing rules again.") % {"year": year})
    return redirect("schools:settings")


# --- calendar ----------------------------------------------------------------------------------------


@school_view("school.view_settings")
def calendar(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    years = list(academic_years_of(school))
    terms = Term.objects.filter(school=school).select_related("academic_year")
    by_year: dict[int, list[Term]] = {y.pk: [] for y in years}
    for term in terms:
        by_year.setdefault(term.academic_year_id, []).append(term)
    for rows in by_year.values():
        rows.sort(key=lambda t: t.number)
    # The windows as every other page shows them: from the schedule (the term's own fields only
    # until the term has a schedule), one query for all terms.
    from licheng.schedule.windows import terms_windows, window_dates

    prefetched = terms_windows(terms)
    for term in terms:
        term.windows = [  # type: ignore[attr-defined]
            window_dates(school, item, term, prefetched=prefetched) for item in ("upload", "certification", "selection")
        ]
    return render(
        request,
        "schools/calendar.html",
        {"years": [(y, by_year[y.pk]) for y in years], "current_term": current_term(school)},
    )


@school_view("school.manage_settings")
def academic_year_create(request: HttpRequest) -> HttpResponse:
    form = AcademicYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            academic_year = services.academic_year_create(
                actor=Actor.from_request(request),
                school=request.school,  # type: ignore[attr-defined]
                year=form.cleaned_data["year"],
                with_terms=form.cleaned_data["with_terms"],
            )
        except ServiceError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Academic year %(year)s was added.") % {"year": academic_year.year})
            return redirect("schools:calendar")
    return render(request, "schools/form.html", {"form": form, "title": _("Add an academic year")})


@school_view("school.manage_settings")
def term_create(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    form = TermForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            dates = form.dates()
            term = services.term_create(
                actor=Actor.from_request(request),
                academic_year=form.cleaned_data["academic_year"],
                number=form.cleaned_data["number"],
                **dates,  # type: ignore[arg-type]
            )
        except ServiceError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Term %(term)s was added.") % {"term": term.label})
            return redirect("schools:calendar")
    return render(request, "schools/form.html", {"form": form, "title": _("Add a term")})


@school_view("school.manage_settings")
def term_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    term: Term = get_object_or_404(Term.objects.select_related("academic_year", "school"), school=school, pk=pk)
    initial = {name: getattr(term, name) for name in services.TERM_DATE_FIELDS}
    form = TermForm(request.POST or None, school=school, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.term_update(actor=Actor.from_request(request), term=term, **form.dates())
        except ServiceError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Term %(term)s was saved.") % {"term": term.label})
            return redirect("schools:calendar")
    title = _("Term %(term)s") % {"term": term.label}
    return render(request, "schools/form.html", {"form": form, "title": title})


# --- divisions -----------------------------------------------------------------------------------------


@school_view("school.view_settings")
def divisions(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    return render(request, "schools/divisions.html", {"divisions": Division.objects.filter(school=school)})


@school_view("school.manage_settings")
def division_create(request: HttpRequest) -> HttpResponse:
    form = DivisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            division = services.division_create(
                actor=Actor.from_request(request),
                school=request.school,  # type: ignore[attr-defined]
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
            )
        except ServiceError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Division %(name)s was added.") % {"name": division.name})
            return redirect("schools:divisions")
    return render(request, "schools/form.html", {"form": form, "title": _("Add a division")})


@school_view("school.manage_settings")
def division_edit(request: HttpRequest, pk: int) -> HttpResponse:
    division = get_object_or_404(Division, school=request.school, pk=pk)  # type: ignore[attr-defined]
    form = DivisionForm(request.POST or None, initial={"code": division.code, "name": division.name})
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.division_update(
                actor=Actor.from_request(request), division=division, name=form.cleaned_data["name"]
            )
        except ServiceError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Division %(name)s was saved.") % {"name": division.name})
            return redirect("schools:divisions")
    return render(request, "schools/form.html", {"form": form, "title": division.name})


# --- classes ---------------------------------------------------------------------------------------------


@school_view("school.view_settings")
def classes(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    years = list(academic_years_of(school))
    rows = (
        classes_visible_to(request.user, school)  # type: ignore[arg-type]
        .select_related("academic_year", "division", "homeroom_teacher", "counsellor")
        .order_by("-academic_year__year", "grade", "name")
    )
    year = _int_or_none(request.GET.get("year"))
    if year is None and years and "year" not in request.GET:
        term = current_term(school)
        year = term.academic_year.year if term else years[0].year
    if year is not None:
        rows = rows.filter(academic_year__year=year)
    grade = _int_or_none(request.GET.get("grade"))
    if grade is not None:
        rows = rows.filter(grade=grade)
    return render(
        request,
        "schools/classes.html",
        {"classes": rows, "years": years, "year": year, "grades": Grade.choices, "grade": grade},
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _class_form(request: HttpRequest, **kwargs: Any) -> ClassForm:
    school = request.school  # type: ignore[attr-defined]
    return ClassForm(request.POST or None, school=school, staff_users=staff_users(school), **kwargs)


@school_view("school.manage_settings")
def class_create(request: HttpRequest) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    term = current_term(school)
    form = _class_form(request, initial={"academic_year": term.academic_year if term else None})
    if request.method == "POST" and form.is_valid():
        try:
            school_class = services.class_create(actor=Actor.from_request(request), school=school, **form.cleaned_data)
        except ServiceError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Class %(name)s was added.") % {"name": school_class.name})
            return redirect("schools:classes")
    return render(request, "schools/form.html", {"form": form, "title": _("Add a class")})


@school_view("school.manage_settings")
def class_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = request.school  # type: ignore[attr-defined]
    school_class: SchoolClass = get_object_or_404(
        SchoolClass.objects.select_related("academic_year", "school"), school=school, pk=pk
    )
    initial = {name: getattr(school_class, name) for name in services.CLASS_FIELDS}
    form = _class_form(request, initial=initial)
    form.fields["academic_year"].disabled = True
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "academic_year"}
        try:
            services.class_update(actor=Actor.from_request(request), school_class=school_class, **values)
        except ServiceError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Class %(name)s was saved.") % {"name": school_class.name})
            return redirect("schools:classes")
    title = _("Class %(name)s") % {"name": school_class.name}
    return render(request, "schools/form.html", {"form": form, "title": title})
