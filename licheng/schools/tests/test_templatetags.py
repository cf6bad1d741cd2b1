"""The ``roc`` template filters and ``RocDateField`` every app's forms use."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from licheng.schools.forms import RocDateField
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas


def render(text: str, **context: object) -> str:
    return Template("{% load roc %}" + text).render(Context(context))


def test_roc_date_and_datetime_filters() -> None:
    assert render("{{ d|roc_date }}", d=datetime.date(2023, 2, 10)) == "112.02.10"
    assert render("{{ d|roc_date }}", d=None) == ""
    moment = datetime.datetime(2023, 2, 10, 6, 5, tzinfo=datetime.UTC)  # 14:05 in Taipei
    assert render("{{ m|roc_datetime }}", m=moment) == "112.02.10 14:05"
    assert render("{{ m|roc_date }}", m=datetime.datetime(2023, 2, 10, 20, 0, tzinfo=datetime.UTC)) == "112.02.11"
    taipei = datetime.datetime(2023, 2, 10, 23, 59, tzinfo=zoneinfo.ZoneInfo("Asia/Taipei"))
    assert render("{{ m|roc_datetime }}", m=taipei) == "112.02.10 23:59"
    assert render("{{ m|roc_datetime }}", m=None) == ""


def test_term_label_filter(personas: Personas) -> None:
    assert render("{{ t|term_label }}", t=personas.term) == "114-1"
    assert render("{{ t|term_label }}", t=(112, 2)) == "112-2"
    assert render("{{ t|term_label }}", t=None) == ""


class DateForm(forms.Form):
    day = RocDateField(label="day")
    maybe = RocDateField(label="maybe", required=False)


@pytest.mark.parametrize("text", ["112.02.10", "112/2/10", "112/02/10", "1120210", " 112-2-10 ", "2023-02-10"])
def test_roc_date_field_accepts_every_form(text: str) -> None:
    form = DateForm({"day": text})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"day": datetime.date(2023, 2, 10), "maybe": None}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("112.02.30", "112.02 has no day 30."),
        ("112.13.01", "Month 13 does not exist"),
        ("2023/02/10", "write the ROC year instead, such as 112.02.10"),
        ("2023-02-30", "is not a real date; write it like 115.11.01"),
        ("tomorrow", "is not an ROC date"),
        ("", "This field is required."),
    ],
)
def test_roc_date_field_explains_what_is_wrong(text: str, message: str) -> None:
    with translation.override("en"):
        form = DateForm({"day": text})
        assert not form.is_valid()
        assert message in form.errors["day"][0]


def test_roc_date_field_shows_dates_the_roc_way(personas: Personas) -> None:
    assert 'placeholder="115.11.01"' in str(DateForm()["day"])
    assert 'value="112.02.10"' in str(DateForm(initial={"day": datetime.date(2023, 2, 10)})["day"])
    client = client_in("en", personas.school_admin)
    page = client.get(reverse("schools:term_edit", args=[personas.term.pk])).content.decode()
    assert 'value="114.08.01"' in page and 'value="115.01.31"' in page
