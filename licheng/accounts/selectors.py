"""Reads for account pages, narrowed to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from licheng.accounts.models import AccountImport, ApiToken
from licheng.core.permissions import has_permission
from licheng.people.models import User
from licheng.schools.models import School


def account_imports_visible_to(user: User, school: School) -> QuerySet[AccountImport]:
    if not has_permission(user, school, "people.import_accounts"):
        return AccountImport.objects.none()
    return AccountImport.objects.filter(school=school).select_related("created_by", "academic_year")


def account_import_for(user: User, school: School, pk: int) -> AccountImport:
    return get_object_or_404(account_imports_visible_to(user, school), pk=pk)


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def token_of(user: User, pk: int) -> ApiToken:
    return get_object_or_404(tokens_of(user), pk=pk, revoked_at=None)
