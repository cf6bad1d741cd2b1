"""Courses offered in a term, their teachers, and the students enrolled in them."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.schools.models import School, SchoolClass, Term

course_code_validator = RegexValidator(
    r"^[0-9A-Z]{23}$", _("A course code is 23 characters of digits and capital letters.")
)
# 授課學期學分 (FORMATS.md §3): a digit per term, or A–D for an alternating (對開) course of 1–4 credits.
credits_per_term_validator = RegexValidator(
    r"^[0-9A-D]{6}$",
    _(
        "Credits per term are 6 characters, one for each term: a digit, or A–D for an alternating course "
        "(1–4 credits), such as 444440."
    ),
)


class Course(models.Model):
    """A course offered in one term (開課), with its national course code (課程代碼)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="courses")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="courses")
    course_code = models.CharField(_("course code"), max_length=23, validators=[course_code_validator])
    credits_per_term = models.CharField(
        _("credits per term"), max_length=6, blank=True, validators=[credits_per_term_validator]
    )
    subject_name = models.CharField(_("subject name"), max_length=60)
    credits = models.PositiveSmallIntegerField(_("credits"))
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, null=True, blank=True, related_name="courses", verbose_name=_("class")
    )
    group_name = models.CharField(_("group"), max_length=60, blank=True, help_text=_("For elective or mixed groups"))
    teachers = models.ManyToManyField(
        "people.User", through="CourseTeacher", related_name="courses_taught", verbose_name=_("teachers")
    )

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["term", "subject_name", "school_class__name", "group_name"]
        verbose_name = _("course")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(school_class=None) | ~models.Q(group_name=""), name="course_has_class_or_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.school_class or self.group_name}"

    @property
    def is_credit_bearing(self) -> bool:
        return self.credits > 0


class CourseTeacher(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="course_teachers")
    teacher = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="course_assignments")

    objects = ScopedManager(school="school")

    class Meta:
        verbose_name = _("course teacher")
        constraints = [models.UniqueConstraint(fields=["course", "teacher"], name="course_teacher_unique")]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.teacher_id}"


class Enrolment(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="enrolments")

    objects = ScopedManager(school="school")

    class Meta:
        verbose_name = _("enrolment")
        constraints = [models.UniqueConstraint(fields=["course", "student"], name="enrolment_unique")]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.student_id}"
