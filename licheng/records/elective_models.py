"""Elective course names (選修課程名稱), entered by academic affairs (教務處) for each term: the
school's own name for an elective offered under a national course code (DOMAIN.md §3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.schools.models import School


class ElectiveCategory(models.TextChoices):
    DIVERSE = "diverse", _("Diverse elective (多元選修)")
    ADVANCED = "advanced", _("Advanced elective (加深加廣選修)")
    REMEDIAL = "remedial", _("Remedial elective (補強性選修)")
    OTHER = "other", _("Other elective")


class ElectiveCourseName(models.Model):
    """Natural key: (school, academic year, term, course code)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    term = models.PositiveSmallIntegerField(_("term"), choices=[(1, _("Term 1")), (2, _("Term 2"))])
    course_code = models.CharField(_("course code"), max_length=23)
    name = models.CharField(_("elective course name"), max_length=60)
    category = models.CharField(_("elective category"), max_length=20, choices=ElectiveCategory.choices)
    grade_level = models.PositiveSmallIntegerField(_("grade level offered"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(school="school")

    class Meta:
        app_label = "records"
        ordering = ["-academic_year", "-term", "course_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "term", "course_code"], name="elective_name_natural_key"
            ),
            models.CheckConstraint(condition=models.Q(term__in=[1, 2]), name="elective_name_term_1_or_2"),
        ]

    def __str__(self) -> str:
        return f"{self.academic_year}-{self.term} {self.course_code} {self.name}"

    @property
    def term_label(self) -> str:
        return f"{self.academic_year}-{self.term}"
