"""Learning records an office enters for a student (seed 000 §5(4)): flexible learning time,
service learning, group activity time, certificates, competitions and internship cadres.

Each is a staff-verified ``performances.Performance`` (so the student sees it in their portfolio
and may select it later); ``OfficeRecord`` remembers which performance an office's row became, under
a natural key, so that importing the same file again updates instead of duplicating."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.schools.models import School


class OfficeRecordKind(models.TextChoices):
    FLEXIBLE_LEARNING = "flexible_learning", _("Flexible learning time")
    SERVICE_LEARNING = "service_learning", _("Service learning")
    GROUP_ACTIVITY = "group_activity", _("Group activity time")
    CERTIFICATE = "certificates", _("Certificates")
    COMPETITION = "competitions", _("Competitions")
    INTERNSHIP_CADRE = "internship_cadres", _("Internship cadres")


class OfficeRecord(models.Model):
    """One office-entered learning record; ``key`` is its natural key within the kind (title and
    term, name and date …), built by ``office_records``."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="office_records")
    kind = models.CharField(_("record kind"), max_length=30, choices=OfficeRecordKind.choices)
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    key = models.CharField(max_length=300)
    performance = models.OneToOneField(
        "performances.Performance", on_delete=models.CASCADE, related_name="office_record"
    )
    office = models.CharField(_("office"), max_length=30)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(school="school")

    class Meta:
        app_label = "records"
        ordering = ["-academic_year", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["student", "kind", "key"], name="office_record_natural_key"),
        ]
        indexes = [models.Index(fields=["school", "kind", "academic_year"], name="office_record_school_kind")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.kind} {self.key[:40]}"
