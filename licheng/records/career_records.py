"""Career exploration (學群/類群探索與就業規劃): spreadsheet columns, export row and entry form.
The ``Kind`` itself is registered in ``staff_records.KINDS`` so pages, API and import share it."""

from __future__ import annotations

import decimal
import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licheng.core import spreadsheets as sheets
from licheng.core.spreadsheets import CellError, Column
from licheng.records.career_models import CareerExploration
from licheng.schools import rocdate


def hours(value: str) -> decimal.Decimal | None:
    """0–999.9 hours with at most one decimal; blank means unknown."""
    if not value:
        return None
    if not re.fullmatch(r"\d{1,3}(\.\d)?0*", value):
        raise CellError(_("Write the hours as a number from 0 to 999.9, not “%(value)s”.") % {"value": value})
    return decimal.Decimal(value).quantize(decimal.Decimal("0.1"))


def career_columns(student: Column, term: Column) -> tuple[Column, ...]:
    return (
        student,
        term,
        Column(
            "activity_title",
            "活動名稱",
            gettext_lazy("Activity title"),
            parse=sheets.text(100),
            aliases=("activity", "activity title", "名稱"),
        ),
        Column(
            "group_area",
            "學群類群",
            gettext_lazy("Academic group or career cluster"),
            parse=sheets.text(60),
            required=False,
            blank=True,
            aliases=("group", "學群", "類群"),
        ),
        Column("hours", "時數", gettext_lazy("Hours"), parse=hours, required=False, blank=True, aliases=("hours",)),
        Column("held_on", "日期", gettext_lazy("Date held"), parse=sheets.roc_date, aliases=("date", "活動日期")),
    )


def career_row(entry: CareerExploration) -> list[Any]:
    return [
        entry.student.student_number,
        entry.term_label,
        entry.activity_title,
        entry.group_area,
        "" if entry.hours is None else str(entry.hours),
        rocdate.format_roc(entry.held_on),
    ]


def career_cells(entry: CareerExploration) -> list[str]:
    return [
        entry.activity_title,
        entry.group_area,
        "" if entry.hours is None else str(entry.hours),
        rocdate.format_roc(entry.held_on),
    ]


def career_headers() -> list[str]:
    return [_("Activity title"), _("Academic group or career cluster"), _("Hours"), _("Date held")]


def career_form(base: type[forms.Form], date_field: type[forms.Field]) -> type[forms.Form]:
    class CareerExplorationForm(base):  # type: ignore[valid-type, misc]
        activity_title = forms.CharField(label=gettext_lazy("Activity title"), max_length=100)
        group_area = forms.CharField(
            label=gettext_lazy("Academic group or career cluster"), max_length=60, required=False
        )
        hours = forms.DecimalField(
            label=gettext_lazy("Hours"), min_value=0, max_value=999, decimal_places=1, required=False
        )
        held_on = date_field(label=gettext_lazy("Date held"), help_text=gettext_lazy("Such as 112.09.01"))

    return CareerExplorationForm
