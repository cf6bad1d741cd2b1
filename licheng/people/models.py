"""People who log in, what they are to the school, and who may act for whom."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from licheng.people import crypto
from licheng.people.roles import OFFICE_ROLES, Role
from licheng.schools.models import Division, School, SchoolClass


class User(AbstractUser):
    """Anyone who logs in. ``school`` is the school they belong to; deployment operators have none.

    Users keep Django's plain manager, not a scoped one: an account is looked up before its school is
    known (login, API tokens). Selectors narrow users to the request's school."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60, blank=True)
    must_change_password = models.BooleanField(_("must change password at next login"), default=False)

    class Meta:
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.name or self.username


class Sex(models.IntegerChoices):
    MALE = 1, _("Male")
    FEMALE = 2, _("Female")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    SUSPENDED = "suspended", _("Suspended")
    VISITING = "visiting", _("Visiting study elsewhere")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    LEFT = "left", _("Left school")
    GRADUATED = "graduated", _("Graduated")


class Student(models.Model):
    """A student's profile (基本資料/學籍). The national ID is encrypted at rest; ``national_id_digest``
    (a keyed hash) finds a student by ID without decrypting every row."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="students")
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="student")
    student_number = models.CharField(_("student number"), max_length=20)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    national_id_cipher = models.TextField(editable=False)
    national_id_digest = models.CharField(max_length=64, editable=False)
    birth_date = models.DateField(_("birth date"))
    sex = models.PositiveSmallIntegerField(_("sex"), choices=Sex.choices)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="students")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, null=True, blank=True, related_name="students", verbose_name=_("class")
    )
    seat = models.PositiveSmallIntegerField(_("seat"), null=True, blank=True)
    entry_year = models.PositiveSmallIntegerField(_("entry academic year"))
    # Codes of the central database's student roster (學生資料名冊, FORMATS.md §1); blank when none applies.
    group_code = models.CharField(_("group code (群別代碼)"), max_length=4, blank=True)
    programme_code = models.CharField(_("programme code (科班學程別代碼)"), max_length=6, blank=True)
    class_type = models.CharField(_("class type (班別)"), max_length=4, blank=True, default="1")
    special_statuses = models.CharField(
        _("special statuses (特殊身分別)"), max_length=60, blank=True, help_text=_("Codes separated by commas")
    )
    indigenous_ethnicity = models.CharField(_("indigenous people (原住民族別)"), max_length=4, blank=True)
    indigenous_status = models.CharField(_("indigenous status (原住民身分別)"), max_length=4, blank=True)
    indigenous_language_dialect = models.CharField(
        _("indigenous language exam dialect (族語認證報考方言)"), max_length=20, blank=True
    )
    indigenous_language_exam_year = models.PositiveSmallIntegerField(
        _("indigenous language exam year (報考年度)"), null=True, blank=True
    )
    indigenous_language_valid_until = models.DateField(
        _("indigenous language certificate valid until (族語認證有效日期)"), null=True, blank=True
    )
    experimental_class = models.CharField(_("experimental class (實驗班名稱)"), max_length=60, blank=True)
    admission_route = models.CharField(_("admission route (入學方式)"), max_length=4, blank=True)
    status = models.CharField(
        _("enrolment status"), max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    # Set when the student graduates or leaves: the portfolio is then readable but changeable by no one
    # (``licheng.people.sealing``).
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True, editable=False)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["school_class__grade", "school_class__name", "seat", "student_number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "student_number"], name="student_number_unique_per_school"),
            models.UniqueConstraint(fields=["school", "national_id_digest"], name="national_id_unique_per_school"),
            models.UniqueConstraint(fields=["school_class", "seat"], name="seat_unique_per_class"),
        ]

    def __str__(self) -> str:
        return f"{self.student_number} {self.name}"

    @property
    def national_id(self) -> str:
        return crypto.decrypt(self.national_id_cipher)

    def set_national_id(self, national_id: str) -> None:
        self.national_id_cipher = crypto.encrypt(national_id)
        self.national_id_digest = crypto.digest(national_id)

    @property
    def national_id_masked(self) -> str:
        return crypto.mask(self.national_id)


class StaffMember(models.Model):
    """A member of staff: teachers and office staff. Offices are the office roles they hold."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    title = models.CharField(_("title"), max_length=60, blank=True, help_text=_("e.g. 註冊組長, 國文科教師"))
    subjects = models.CharField(_("subjects taught"), max_length=120, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["name"]
        verbose_name = _("staff member")

    def __str__(self) -> str:
        return self.name


class ParentLink(models.Model):
    """A parent's read-only link to one child."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="children_links")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="parent_links")
    relation = models.CharField(_("relation"), max_length=20, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["parent", "student"], name="parent_link_unique")]

    def __str__(self) -> str:
        return f"{self.parent} → {self.student_id}"


class ParentBindingCode(models.Model):
    """A one-time code a student (or the registry) gives a parent to link their own account to the
    student (親子綁定). Only a keyed hash of the code is stored; the code is shown once when issued."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="parent_codes")
    issued_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    code_digest = models.CharField(max_length=64, unique=True, editable=False)
    relation = models.CharField(_("relation"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"parent code {self.pk} for {self.student_id}"


class ParentCodeGuess(models.Model):
    """One wrong parent code, counted under each key it touched: ``who:<account or sign-in identity>``
    and ``ip:<address>``. Recent rows throttle further attempts (``licheng.people.binding``)."""

    key = models.CharField(max_length=300, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.key} {self.at:%Y-%m-%d %H:%M}"


class RoleGrant(models.Model):
    """A user holds a role in a school."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    objects = ScopedManager(school="school")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "user", "role"], name="role_grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()}"


class RolePermission(models.Model):
    """Role → permission, per school. Seeded from ``DEFAULT_ROLE_PERMISSIONS``; editable by the school admin."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=30, choices=Role.choices)
    # Codes live in roles.PERMISSIONS (checked by the services), not as choices, so adding a
    # permission needs no migration.
    permission = models.CharField(max_length=60)

    objects = ScopedManager(school="school")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "role", "permission"], name="role_permission_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.permission}"


class Duty(models.TextChoices):
    CERTIFY_COURSE = "certify_course", _("Certifying a course's outcomes")
    OFFICE_ENTRY = "office_entry", _("Entering an office's data")


class ProxyAssignment(models.Model):
    """代理人: ``proxy`` may do ``principal``'s duty between two dates. ``order`` is the proxy order
    (代理順位): 1 is asked first. Actions taken by a proxy are recorded as by the proxy on behalf of
    the principal."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    principal = models.ForeignKey(User, on_delete=models.CASCADE, related_name="proxies_assigned")
    proxy = models.ForeignKey(User, on_delete=models.CASCADE, related_name="proxy_for")
    duty = models.CharField(_("duty"), max_length=20, choices=Duty.choices)
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    office = models.CharField(
        _("office"), max_length=30, blank=True, choices=[(role.value, role.label) for role in OFFICE_ROLES]
    )
    order = models.PositiveSmallIntegerField(_("proxy order"), default=1)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["principal", "duty", "order"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(proxy=models.F("principal")), name="proxy_not_self"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="proxy_dates_ordered"),
            models.CheckConstraint(
                condition=(models.Q(duty="certify_course", office="") | models.Q(duty="office_entry", course=None)),
                name="proxy_duty_matches_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proxy} → {self.principal} ({self.get_duty_display()} #{self.order})"


class VerificationRound(models.Model):
    """A term's profile verification (基本資料每學期確認): every enrolled student confirms their
    profile or reports what is wrong; the registry resolves the reports. One round per term."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    term = models.OneToOneField("schools.Term", on_delete=models.CASCADE, related_name="verification_round")
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closes_on = models.DateField(_("closes on"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("verification round")

    def __str__(self) -> str:
        return f"{self.term}"

    @property
    def is_open(self) -> bool:
        """Students answer until the registry closes the round or its closing day has passed."""
        from django.utils import timezone

        return self.closed_at is None and timezone.localdate() <= self.closes_on


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("Not yet confirmed")
    CONFIRMED = "confirmed", _("Confirmed")
    REPORTED = "reported", _("Problem reported")
    RESOLVED = "resolved", _("Report resolved")


class ProfileCheck(models.Model):
    """One student's answer in a verification round."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(VerificationRound, on_delete=models.CASCADE, related_name="checks")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="profile_checks")
    status = models.CharField(
        _("verification status"), max_length=20, choices=CheckStatus.choices, default=CheckStatus.PENDING
    )
    report_text = models.CharField(_("what is wrong"), max_length=500, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(_("resolution note"), max_length=500, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["student__school_class__grade", "student__school_class__name", "student__seat"]
        constraints = [models.UniqueConstraint(fields=["round", "student"], name="profile_check_unique")]

    def __str__(self) -> str:
        return f"{self.round} {self.student}"
