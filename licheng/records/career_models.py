"""Career exploration (學群/類群探索與就業規劃) entered by the guidance or internship office."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.schools.models import School

TERM_CHOICES = [(1, _("Term 1")), (2, _("Term 2"))]


class CareerExploration(models.Model):
    """One career-exploration activity of a student. Natural key: (student, academic year, term,
    activity title)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="career_explorations")
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    term = models.PositiveSmallIntegerField(_("term"), choices=TERM_CHOICES)
    activity_title = models.CharField(_("activity title"), max_length=100)
    group_area = models.CharField(_("academic group or career cluster"), max_length=60, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    held_on = models.DateField(_("date held"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(school="school")

    class Meta:
        app_label = "records"
        ordering = ["academic_year", "term", "held_on", "activity_title"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "academic_year", "term", "activity_title"], name="career_exploration_natural_key"
            ),
            models.CheckConstraint(condition=models.Q(term__in=[1, 2]), name="career_exploration_term_1_or_2"),
        ]
        indexes = [models.Index(fields=["school", "academic_year", "term"], name="career_expl_school_term")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.academic_year}-{self.term} {self.activity_title}"

    @property
    def term_label(self) -> str:
        return f"{self.academic_year}-{self.term}"
