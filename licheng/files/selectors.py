"""Reads of stored files, narrowed to what a user may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from licheng.core.permissions import has_permission
from licheng.files.models import StoredFile

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School


def files_visible_to(user: User, school: School) -> QuerySet[StoredFile]:
    """The files a person uploaded; every file of the school for staff who see every student.
    (Other apps serve files attached to their records with their own checks.)"""
    files = StoredFile.objects.filter(school=school)
    if not user.is_authenticated or user.school_id not in (None, school.pk):
        return files.none()
    if has_permission(user, school, "people.view_students"):
        return files
    return files.filter(uploaded_by=user)
