"""The lifecycle's permission codes and their descriptions (imported by ``licheng.people.roles``; kept here
so the descriptions are translated in this app's catalogue). Imports nothing from the project."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

LIFECYCLE_PERMISSIONS: dict[str, StrOrPromise] = {
    "lifecycle.manage_status": _(
        "Record status changes (transfer, repeat, suspension, visiting study, leaving, graduation) "
        "and make and import transfer packages"
    ),
    "lifecycle.view_retention": _("See sealed students, their deletion dates and legal holds"),
    "lifecycle.manage_holds": _("Place and release legal holds on a student's data"),
}
