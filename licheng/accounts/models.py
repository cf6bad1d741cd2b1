"""Accounts: login throttling, API tokens and bulk account imports."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from licheng.people.models import User
from licheng.schools.models import AcademicYear, School


class LoginFailure(models.Model):
    """One failed login; recent rows throttle further attempts for that account or address."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} {self.ip_address or '-'}"


class ResetRequest(models.Model):
    """One password-reset request, counted under each key it touched: ``email:<address>``,
    ``user:<id>`` and ``ip:<address>``. Recent rows throttle further requests (``throttle.py``)."""

    key = models.CharField(max_length=300, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.key


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class AccountImport(models.Model):
    """A bulk account upload: parsed and checked first (preview), applied all-or-nothing on confirm.
    Initial passwords of applied imports are kept encrypted so the list can be printed again."""

    class Kind(models.TextChoices):
        STUDENTS = "students", _("Students")
        STAFF = "staff", _("Staff")
        PARENTS = "parents", _("Parents")

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked, not applied")
        APPLIED = "applied", _("Applied")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CHECKED)
    rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    passwords_cipher = models.TextField(blank=True)
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("academic year")
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    # Argon2 takes a third of a second per password: the initial passwords are hashed by a background
    # task after the accounts are created; until it has run, the new accounts cannot log in.
    passwords_set_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors)


class ExternalIdentity(models.Model):
    """An account at an outside identity provider (education cloud, city OpenID) linked to a user.
    See ``licheng.accounts.sso``."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField(max_length=40)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "subject"], name="external_identity_unique")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"


class SchoolSignOn(models.Model):
    """A school's single sign-on rules: which of the deployment's providers it allows, how a first
    sign-in finds its account, and whether its people must sign in through a provider."""

    class LinkRule(models.TextChoices):
        NONE = "none", _("Only by linking from the account page")
        STUDENT_NUMBER = "student_number", _("School code and student number (students)")
        NATIONAL_ID = "national_id", _("National ID (students)")

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="sign_on")
    providers = models.JSONField(_("allowed providers"), default=list, blank=True)
    link_rule = models.CharField(
        _("linking rule for a first sign-in"), max_length=20, choices=LinkRule.choices, default=LinkRule.NONE
    )
    require_sso = models.BooleanField(
        _("require single sign-on"),
        default=False,
        help_text=_("Password log-in is refused for everyone but school administrators."),
    )

    objects = ScopedManager(school="school")

    def __str__(self) -> str:
        return str(self.school)
