"""ROC dates and terms: every date from 民國1年 to 民國200年 survives a round trip in every written
form, and impossible dates are refused with a message."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from licheng.schools import rocdate
from licheng.schools.rocdate import RocDateError

ROC_DATES = st.dates(min_value=datetime.date(1912, 1, 1), max_value=datetime.date(2111, 12, 31))


@given(ROC_DATES)
def test_dotted_form_round_trips(day: datetime.date) -> None:
    text = rocdate.format_roc(day)
    assert rocdate.parse_roc(text) == day
    year, month, dom = text.split(".")
    assert int(year) == day.year - 1911 and len(month) == 2 and len(dom) == 2


@given(ROC_DATES)
def test_slashed_form_without_padding_round_trips(day: datetime.date) -> None:
    assert rocdate.parse_roc(f"{day.year - 1911}/{day.month}/{day.day}") == day


@given(ROC_DATES)
def test_compact_seven_digit_form_round_trips(day: datetime.date) -> None:
    text = rocdate.format_roc_compact(day)
    assert len(text) == 7 and text.isdigit()
    assert rocdate.parse_roc(text) == day


@given(ROC_DATES)
def test_academic_year_and_term_of_a_day(day: datetime.date) -> None:
    year = rocdate.academic_year_of(day)
    term = rocdate.term_number_of(day)
    start, end = rocdate.term_bounds(year, term)
    assert start <= day <= end


@given(st.integers(min_value=1, max_value=200), st.sampled_from([1, 2]))
def test_term_bounds_tile_the_academic_year(year: int, term: int) -> None:
    start, end = rocdate.term_bounds(year, term)
    assert rocdate.academic_year_of(start) == rocdate.academic_year_of(end) == year
    assert rocdate.term_number_of(start) == rocdate.term_number_of(end) == term
    if term == 1:
        assert rocdate.term_bounds(year, 2)[0] == end + datetime.timedelta(days=1)


@given(st.integers(min_value=10, max_value=200), st.sampled_from([1, 2]))
def test_term_forms_round_trip(year: int, term: int) -> None:
    assert rocdate.parse_term(rocdate.term_label(year, term)) == (year, term)
    assert rocdate.parse_term(f"{year}學年度第{term}學期") == (year, term)
    if year >= 100:
        assert rocdate.parse_term(rocdate.term_code(year, term)) == (year, term)


def test_examples_from_the_central_database() -> None:
    assert rocdate.parse_roc("1120210") == datetime.date(2023, 2, 10)
    assert rocdate.parse_roc("0800116") == datetime.date(1991, 1, 16)
    assert rocdate.format_roc_compact(datetime.date(1991, 1, 16)) == "0800116"
    assert rocdate.format_roc(datetime.date(2023, 2, 10)) == "112.02.10"
    assert rocdate.parse_roc("112.02.10") == rocdate.parse_roc("112/2/10") == rocdate.parse_roc("112-2-10")
    assert rocdate.parse_roc("１１２．０２．１０") == datetime.date(2023, 2, 10)  # typed with a Chinese IME
    assert rocdate.format_roc(None) == ""
    assert (
        rocdate.parse_term("111-1") == rocdate.parse_term("1111") == rocdate.parse_term("111學年度第1學期") == (111, 1)
    )
    assert rocdate.parse_term("111學年度第二學期") == (111, 2)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("112.13.01", "13"),  # month 13
        ("112.00.10", "0"),  # month 0
        ("112.02.30", "30"),  # 30 February
        ("111.02.29", "29"),  # 2022 is not a leap year
        ("112.04.31", "31"),
        ("112.02.00", "0"),  # day 0
        ("0.02.10", "0"),  # year 0
        ("0000210", "0"),
        ("201.01.01", "201"),  # beyond the supported range
        ("abc", "abc"),
        ("112.2/10", "112.2/10"),  # mixed separators
        ("11202101", "11202101"),  # eight digits
        ("", ""),
        ("   ", ""),
    ],
)
def test_impossible_dates_are_refused_with_a_message(text: str, says: str) -> None:
    with pytest.raises(RocDateError) as refused:
        rocdate.parse_roc(text)
    message = str(refused.value)
    assert message and says in message


def test_leap_days_exist_only_in_leap_years() -> None:
    assert rocdate.parse_roc("113.02.29") == datetime.date(2024, 2, 29)
    assert rocdate.parse_roc("89.02.29") == datetime.date(2000, 2, 29)
    with pytest.raises(RocDateError):
        rocdate.parse_roc("189.02.29")  # 2100 is not a leap year


@given(st.text(max_size=12))
def test_any_text_parses_to_a_date_or_is_refused(text: str) -> None:
    try:
        day = rocdate.parse_roc(text)
    except RocDateError as error:
        assert str(error)
    else:
        assert 1 <= rocdate.to_roc_year(day) <= 200


@pytest.mark.parametrize("text", ["", "111", "111-3", "111-0", "abc", "0-1", "1113"])
def test_impossible_terms_are_refused(text: str) -> None:
    with pytest.raises(RocDateError) as refused:
        rocdate.parse_term(text)
    assert str(refused.value)


def test_dates_before_the_roc_calendar_cannot_be_written() -> None:
    with pytest.raises(RocDateError):
        rocdate.format_roc(datetime.date(1911, 12, 31))
    with pytest.raises(RocDateError):
        rocdate.format_roc_compact(datetime.date(1900, 1, 1))


def test_every_day_from_1912_to_2111_round_trips_in_every_form() -> None:
    day, last, one = datetime.date(1912, 1, 1), datetime.date(2111, 12, 31), datetime.timedelta(days=1)
    while day <= last:
        year = day.year - 1911
        for text in (rocdate.format_roc(day), f"{year}/{day.month}/{day.day}", rocdate.format_roc_compact(day)):
            assert rocdate.parse_roc(text) == day, text
        day += one
