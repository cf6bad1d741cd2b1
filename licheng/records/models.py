"""Staff-entered records: course codes from the national course-plan platform, term grades
(修課紀錄) with their variants, and the spreadsheet import batches that bring them in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.schools.models import School


class CourseCode(models.Model):
    """One line of the course-plan platform's TXT: a 23-character code and its credits per term.

    Characters 1–3 are the cohort's entry year; character 17 ``9`` with character 19 ``D`` marks a
    flexible-learning / group-activity row. The other positions are kept in ``metadata`` as parsed,
    unverified fields."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("course code"), max_length=23)
    credits_per_term = models.CharField(_("credits per term"), max_length=6)
    entry_year = models.PositiveSmallIntegerField(_("entry academic year"))
    is_flexible_or_group = models.BooleanField(_("flexible learning or group activity"), default=False)
    subject_name = models.CharField(_("subject name"), max_length=60, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(_("imported at"))

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="course_code_unique_per_school")]

    def __str__(self) -> str:
        return f"{self.code} {self.subject_name}".strip()


class GradeVariant(models.TextChoices):
    REGULAR = "regular", _("Regular")
    MAKEUP_COURSE = "makeup_course", _("Make-up course (補修)")
    RETAKE = "retake", _("Retake (重修)")
    REPEAT = "repeat", _("Repeated year (重讀)")
    TRANSFER = "transfer", _("Transfer credit (轉學轉科)")
    # Continuing education (進修部) only: the make-up exams of a year course (進修部補考成績).
    MAKEUP_EXAM = "makeup_exam", _("Continuing-education make-up exam (進修部補考)")


class CreditCounted(models.IntegerChoices):
    """The central database's 1/2/3 code for whether the credits count."""

    COUNTED = 1, _("1 – credits counted")
    NOT_COUNTED = 2, _("2 – credits not counted")
    OTHER = 3, _("3 – counted by another rule")


class Grade(models.Model):
    """A term grade (修課紀錄). Variant fields are plain nullable columns so rosters can read them:

    - 補修 (make-up course): ``due_academic_year``/``due_term`` (when it was due), ``method``;
    - 重修 (retake): ``original_*`` (the course retaken), ``method``, ``retake_score``;
    - 重讀 (repeated year): ``is_repeat``;
    - 轉學轉科 (transfer credit): ``mapped_*``, ``transfer_identity`` (身分別) and ``transfer_score``;
    - 進修部 (continuing education): ``periods``, ``year_score``/``year_passed`` (學年成績), and for
      進修部補考 ``term1_periods``/``term2_periods`` with the first (``makeup_*``) and second
      (``second_makeup_*``) make-up exams.

    The natural key (student, academic year, term, course code, variant) makes a re-import update."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="grades")
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    term = models.PositiveSmallIntegerField(_("term"), choices=[(1, _("Term 1")), (2, _("Term 2"))])
    variant = models.CharField(_("record type"), max_length=20, choices=GradeVariant.choices, default="regular")
    course_code = models.CharField(_("course code"), max_length=23)
    subject_name = models.CharField(_("subject name"), max_length=60)
    grade_level = models.PositiveSmallIntegerField(_("grade level offered"))
    credits = models.PositiveSmallIntegerField(_("credits"))
    # Continuing education (進修部) counts periods instead of credits (DOMAIN.md §7); ``credits`` is 0 then.
    periods = models.PositiveSmallIntegerField(_("periods"), null=True, blank=True)
    score = models.DecimalField(_("term score"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    makeup_score = models.DecimalField(_("make-up exam score"), max_digits=5, decimal_places=2, null=True, blank=True)
    makeup_passed = models.BooleanField(_("make-up exam passed"), null=True, blank=True)
    credit_counted = models.PositiveSmallIntegerField(
        _("credit counted"), choices=CreditCounted.choices, null=True, blank=True
    )
    qualitative_description = models.TextField(_("qualitative description"), blank=True)
    # 補修
    due_academic_year = models.PositiveSmallIntegerField(_("academic year due"), null=True, blank=True)
    due_term = models.PositiveSmallIntegerField(_("term due"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=40, blank=True)
    # 重修
    original_academic_year = models.PositiveSmallIntegerField(_("original academic year"), null=True, blank=True)
    original_term = models.PositiveSmallIntegerField(_("original term"), null=True, blank=True)
    original_course_code = models.CharField(_("original course code"), max_length=23, blank=True)
    original_subject_name = models.CharField(_("original subject name"), max_length=60, blank=True)
    original_grade_level = models.PositiveSmallIntegerField(_("original grade level"), null=True, blank=True)
    original_credits = models.PositiveSmallIntegerField(_("original credits"), null=True, blank=True)
    original_periods = models.PositiveSmallIntegerField(_("original periods"), null=True, blank=True)
    retake_score = models.DecimalField(_("retake score"), max_digits=5, decimal_places=2, null=True, blank=True)
    retake_passed = models.BooleanField(_("retake passed"), null=True, blank=True)
    # 重讀
    is_repeat = models.BooleanField(_("repeated year"), default=False)
    # 轉學轉科
    mapped_academic_year = models.PositiveSmallIntegerField(_("mapped academic year"), null=True, blank=True)
    mapped_term = models.PositiveSmallIntegerField(_("mapped term"), null=True, blank=True)
    mapped_grade_level = models.PositiveSmallIntegerField(_("mapped grade level"), null=True, blank=True)
    transfer_score = models.DecimalField(
        _("credit-transfer score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    transfer_identity = models.CharField(_("identity (身分別)"), max_length=10, blank=True)
    # 進修部
    year_score = models.DecimalField(_("year score"), max_digits=5, decimal_places=2, null=True, blank=True)
    year_passed = models.BooleanField(_("year passed"), null=True, blank=True)
    term1_periods = models.PositiveSmallIntegerField(_("periods offered in term 1"), null=True, blank=True)
    term2_periods = models.PositiveSmallIntegerField(_("periods offered in term 2"), null=True, blank=True)
    second_makeup_score = models.DecimalField(
        _("second make-up exam score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    second_makeup_passed = models.BooleanField(_("second make-up exam passed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["academic_year", "term", "course_code", "variant"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "academic_year", "term", "course_code", "variant"], name="grade_natural_key"
            ),
            models.CheckConstraint(condition=models.Q(term__in=[1, 2]), name="grade_term_1_or_2"),
        ]
        indexes = [models.Index(fields=["school", "academic_year", "term"], name="grade_school_term")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.academic_year}-{self.term} {self.subject_name}"

    @property
    def term_label(self) -> str:
        return f"{self.academic_year}-{self.term}"

    @property
    def credits_earned(self) -> int:
        """Credits earned: passed (or passed the make-up exam) and not marked "not counted"."""
        if self.credit_counted == CreditCounted.NOT_COUNTED:
            return 0
        return self.credits if (self.passed or self.makeup_passed) else 0

    @property
    def periods_earned(self) -> int:
        """Continuing education: periods earned, by the same rule as credits."""
        if self.periods is None or self.credit_counted == CreditCounted.NOT_COUNTED:
            return 0
        return self.periods if (self.passed or self.makeup_passed) else 0


class ImportBatch(models.Model):
    """One uploaded spreadsheet, checked (preview) and later applied. ``rows`` holds the file's
    cells (``[[line, [cell, …]], …]`` in column order, secret columns sealed); ``errors`` the
    problems found (``{"line", "column", "message"}``)."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked")
        APPLIED = "applied", _("Imported")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(_("record type"), max_length=30)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CHECKED)
    headers = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    row_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.record_type} {self.file_name}"


# ---------------------------------------------------------------------------------------------
# Cadre roles (幹部經歷), attendance (出缺勤) and rewards/penalties (獎懲)
# ---------------------------------------------------------------------------------------------

TERM_CHOICES = [(1, _("Term 1")), (2, _("Term 2"))]


class CadreLevel(models.IntegerChoices):
    """The central database's cadre-level codes."""

    SCHOOL = 1, _("1 – school")
    CLASS = 2, _("2 – class")
    CLUB = 3, _("3 – club")
    INTERNSHIP = 4, _("4 – internship")
    EXTERNAL = 5, _("5 – external body")
    OTHER = 9, _("9 – other")


class CadreRole(models.Model):
    """A student's leadership post (幹部經歷), entered by the activities section (the internship
    office for internship posts) and verified by it before submission. Any change clears the
    verification. Natural key: (student, academic year, term, unit, post)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="cadre_roles")
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    term = models.PositiveSmallIntegerField(_("term"), choices=TERM_CHOICES)
    unit = models.CharField(_("unit"), max_length=60)
    post = models.CharField(_("post"), max_length=60)
    level = models.PositiveSmallIntegerField(_("cadre level"), choices=CadreLevel.choices)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["academic_year", "term", "starts_on", "unit", "post"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "academic_year", "term", "unit", "post"], name="cadre_role_natural_key"
            ),
            models.CheckConstraint(condition=models.Q(term__in=[1, 2]), name="cadre_role_term_1_or_2"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="cadre_role_dates"),
        ]
        indexes = [models.Index(fields=["school", "academic_year", "term"], name="cadre_role_school_term")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.academic_year}-{self.term} {self.unit} {self.post}"

    @property
    def term_label(self) -> str:
        return f"{self.academic_year}-{self.term}"


class AttendanceKind(models.TextChoices):
    """Absence kinds. The national database gives no codes; to become school-configurable later."""

    PERSONAL = "personal", _("Personal leave (事假)")
    SICK = "sick", _("Sick leave (病假)")
    OFFICIAL = "official", _("Official leave (公假)")
    FUNERAL = "funeral", _("Funeral leave (喪假)")
    TRUANCY = "truancy", _("Truancy (曠課)")
    LATE = "late", _("Late (遲到)")


class AttendanceRecord(models.Model):
    """Periods of one kind of absence a student had in a term (aggregated per term), entered by the
    discipline section. Natural key: (student, academic year, term, kind)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="attendance_records")
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    term = models.PositiveSmallIntegerField(_("term"), choices=TERM_CHOICES)
    kind = models.CharField(_("absence kind"), max_length=20, choices=AttendanceKind.choices)
    periods = models.PositiveIntegerField(_("periods"))
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["academic_year", "term", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["student", "academic_year", "term", "kind"], name="attendance_natural_key"),
            models.CheckConstraint(condition=models.Q(term__in=[1, 2]), name="attendance_term_1_or_2"),
        ]
        indexes = [models.Index(fields=["school", "academic_year", "term"], name="attendance_school_term")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.academic_year}-{self.term} {self.kind} {self.periods}"

    @property
    def term_label(self) -> str:
        return f"{self.academic_year}-{self.term}"


class RewardPenaltyKind(models.TextChoices):
    COMMENDATION = "commendation", _("Commendation (嘉獎)")
    MINOR_MERIT = "minor_merit", _("Minor merit (小功)")
    MAJOR_MERIT = "major_merit", _("Major merit (大功)")
    WARNING = "warning", _("Warning (警告)")
    MINOR_DEMERIT = "minor_demerit", _("Minor demerit (小過)")
    MAJOR_DEMERIT = "major_demerit", _("Major demerit (大過)")


class RewardPenalty(models.Model):
    """A reward or penalty (獎懲) decided for a student, entered by the discipline section.
    Natural key: (student, academic year, term, kind, decision date, reason)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="rewards_penalties")
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    term = models.PositiveSmallIntegerField(_("term"), choices=TERM_CHOICES)
    kind = models.CharField(_("reward or penalty"), max_length=20, choices=RewardPenaltyKind.choices)
    count = models.PositiveSmallIntegerField(_("count"), default=1)
    reason = models.CharField(_("reason"), max_length=200)
    decided_on = models.DateField(_("decision date"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["academic_year", "term", "decided_on", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "academic_year", "term", "kind", "decided_on", "reason"],
                name="reward_penalty_natural_key",
            ),
            models.CheckConstraint(condition=models.Q(term__in=[1, 2]), name="reward_penalty_term_1_or_2"),
        ]
        indexes = [models.Index(fields=["school", "academic_year", "term"], name="reward_penalty_school_term")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.academic_year}-{self.term} {self.kind} ×{self.count}"

    @property
    def term_label(self) -> str:
        return f"{self.academic_year}-{self.term}"


from licheng.records.career_models import CareerExploration  # noqa: E402, F401
from licheng.records.elective_models import ElectiveCategory, ElectiveCourseName  # noqa: E402, F401
from licheng.records.office_models import OfficeRecord, OfficeRecordKind  # noqa: E402, F401
