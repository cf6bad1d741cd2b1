"""Schools, their divisions, the academic calendar, per-school rules and classes."""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.schools import rocdate


class School(models.Model):
    """One school on this deployment. Every tenant row points at one."""

    code = models.CharField(
        _("school code"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("A school code is exactly 6 digits."))],
    )
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("school")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Division(models.Model):
    """日間部 / 進修部 / 實用技能學程 …; the code is the central database's division code (1–7)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="divisions")
    code = models.PositiveSmallIntegerField(_("division code"), validators=[MinValueValidator(1), MaxValueValidator(7)])
    name = models.CharField(_("name"), max_length=40)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["code"]
        verbose_name = _("division")
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="division_code_unique_per_school")]

    def __str__(self) -> str:
        return self.name


class AcademicYear(models.Model):
    """學年度 in ROC years; runs 1 August to 31 July."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="academic_years")
    year = models.PositiveSmallIntegerField(
        _("academic year"), validators=[MinValueValidator(100), MaxValueValidator(200)]
    )

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-year"]
        verbose_name = _("academic year")
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="academic_year_unique_per_school")]

    def __str__(self) -> str:
        return str(self.year)


class Term(models.Model):
    """學期: term 1 (上) Aug–Jan, term 2 (下) Feb–Jul. Shown as `112-1`.

    The work windows live here until the schedule capability manages them per grade.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    number = models.PositiveSmallIntegerField(_("term"), choices=[(1, _("Term 1")), (2, _("Term 2"))])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    upload_opens_on = models.DateField(_("course-outcome upload opens"), null=True, blank=True)
    upload_closes_on = models.DateField(_("course-outcome upload closes"), null=True, blank=True)
    certification_opens_on = models.DateField(_("certification opens"), null=True, blank=True)
    certification_closes_on = models.DateField(_("certification closes"), null=True, blank=True)
    selection_opens_on = models.DateField(_("selection opens"), null=True, blank=True)
    selection_closes_on = models.DateField(_("selection closes"), null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-academic_year__year", "-number"]
        verbose_name = _("term")
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "number"], name="term_unique_per_year"),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="term_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return rocdate.term_label(self.academic_year.year, self.number)

    def contains(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class SchoolRules(models.Model):
    """Every number the regulations leave to the school (DOMAIN.md §4).

    The row with no academic year is the school's standing rule set; a row for a year overrides it
    for that year. New rows start from the national defaults below.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rules")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, null=True, blank=True)

    course_outcomes_per_term = models.PositiveSmallIntegerField(_("course outcomes uploaded per term (max)"), default=9)
    course_outcomes_per_year = models.PositiveSmallIntegerField(
        _("course outcomes uploaded per year (max)"), default=18
    )
    course_outcomes_selected = models.PositiveSmallIntegerField(_("course outcomes selected per year (max)"), default=6)
    performances_per_year = models.PositiveSmallIntegerField(_("performances uploaded per year (max)"), default=30)
    performances_selected = models.PositiveSmallIntegerField(_("performances selected per year (max)"), default=10)
    document_max_mb = models.PositiveSmallIntegerField(_("document file size limit (MB, pdf/jpg/png)"), default=4)
    media_max_mb = models.PositiveSmallIntegerField(_("audio/video file size limit (MB, mp3/mp4)"), default=10)
    description_max_chars = models.PositiveSmallIntegerField(_("description length limit (characters)"), default=100)
    upload_weeks_after_term = models.PositiveSmallIntegerField(
        _("course-outcome upload stays open after term end (weeks)"), default=2
    )
    receipt_confirmation_days = models.PositiveSmallIntegerField(
        _("receipt confirmation window (days)"), default=3, validators=[MinValueValidator(3)]
    )
    graduate_retention_years = models.PositiveSmallIntegerField(_("graduates' data kept (years)"), default=5)
    leaver_retention_years = models.PositiveSmallIntegerField(_("leavers' data kept (years)"), default=1)
    working_group_meetings_per_term = models.PositiveSmallIntegerField(
        _("working-group meetings per term (min)"), default=1, validators=[MinValueValidator(1)]
    )
    working_group_size = models.PositiveSmallIntegerField(_("working-group size"), default=15)

    objects = ScopedManager(school="school")

    NUMBER_FIELDS = (
        "course_outcomes_per_term",
        "course_outcomes_per_year",
        "course_outcomes_selected",
        "performances_per_year",
        "performances_selected",
        "document_max_mb",
        "media_max_mb",
        "description_max_chars",
        "upload_weeks_after_term",
        "receipt_confirmation_days",
        "graduate_retention_years",
        "leaver_retention_years",
        "working_group_meetings_per_term",
        "working_group_size",
    )

    class Meta:
        verbose_name = _("school rules")
        constraints = [
            models.UniqueConstraint(fields=["school", "academic_year"], name="rules_unique_per_school_year"),
            models.UniqueConstraint(
                fields=["school"], condition=models.Q(academic_year=None), name="rules_one_standing_set"
            ),
            models.CheckConstraint(
                condition=models.Q(course_outcomes_per_year__gte=models.F("course_outcomes_per_term")),
                name="rules_year_cap_not_below_term_cap",
                violation_error_message=_("The yearly cap on course outcomes cannot be below the cap per term."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.code} {self.academic_year or '-'}"


class Grade(models.IntegerChoices):
    GRADE_10 = 10, _("Grade 10 (高一)")
    GRADE_11 = 11, _("Grade 11 (高二)")
    GRADE_12 = 12, _("Grade 12 (高三)")


class SchoolClass(models.Model):
    """A homeroom class of one academic year, e.g. 101 in 112學年度."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="classes")
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="classes")
    grade = models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices)
    name = models.CharField(_("class name"), max_length=20)
    homeroom_teacher = models.ForeignKey(
        "people.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homeroom_classes",
        verbose_name=_("homeroom teacher"),
    )
    counsellor = models.ForeignKey(
        "people.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counselled_classes",
        verbose_name=_("course counsellor"),
    )

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["grade", "name"]
        verbose_name = _("class")
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "name"], name="class_name_unique_per_year"),
        ]

    def __str__(self) -> str:
        return self.name
