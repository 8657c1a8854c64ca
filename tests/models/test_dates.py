"""models/rules/dates.py: dates and times as people and files give them, and stored ones."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.errors import Refused
from backroom.models.rules.dates import (
    as_utc,
    optional_date,
    parse_date,
    parse_time,
    stored_date,
    stored_time,
)

DAY = dt.date(2027, 12, 31)


def test_a_date_is_yyyy_mm_dd():
    assert parse_date(" 2027-12-31 ") == DAY


@pytest.mark.parametrize("text", ["31/12/2027", "2027-02-30", "tomorrow", "", "271231"])
def test_anything_else_is_refused_in_one_sentence_naming_the_field(text):
    with pytest.raises(Refused) as caught:
        parse_date(text, "Expiry")
    assert str(caught.value) == f"Expiry {text!r} is not a date as YYYY-MM-DD"


def test_without_a_name_the_sentence_starts_with_the_text():
    with pytest.raises(Refused, match=r"^'soon' is not a date as YYYY-MM-DD$"):
        parse_date("soon", what="")


@pytest.mark.parametrize("text", ["2027-12-31", "271231", "31.12.2027", "31/12/2027"])
def test_at_a_form_the_forms_on_labels_and_packaging_are_taken_too(text):
    assert parse_date(text, typed=True) == DAY


def test_a_typed_date_that_does_not_exist_is_refused():
    with pytest.raises(Refused, match=r"^Date '30.02.2027' is not a date as YYYY-MM-DD$"):
        parse_date("30.02.2027", typed=True)


def test_no_date_typed_is_none_not_a_refusal():
    assert optional_date(None) is None
    assert optional_date("  ") is None
    assert optional_date("2027-12-31") == DAY
    with pytest.raises(Refused, match="Since 'x' is not a date"):
        optional_date("x", "Since")


def test_a_time_is_kept_as_naive_utc():
    assert parse_time("2027-12-31 08:30") == dt.datetime(2027, 12, 31, 8, 30)
    assert parse_time("2027-12-31T08:30+02:00") == dt.datetime(2027, 12, 31, 6, 30)
    assert parse_time("2027-12-31") == dt.datetime(2027, 12, 31)
    with pytest.raises(Refused, match=r"^Pickup '8:30' is not a time as 'YYYY-MM-DD HH:MM'$"):
        parse_time("8:30", "Pickup")


def test_as_utc_leaves_a_naive_time_alone():
    naive = dt.datetime(2027, 1, 1, 12)
    assert as_utc(naive) is naive
    aware = dt.datetime(2027, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert as_utc(aware) == dt.datetime(2027, 1, 1, 17)


def test_stored_values_come_back_as_objects_from_either_database():
    moment = dt.datetime(2027, 12, 31, 8, 30, 0, 123456)
    assert stored_time("2027-12-31 08:30:00.123456") == moment  # SQLite
    assert stored_time(moment) is moment  # PostgreSQL
    assert stored_date("2027-12-31") == DAY
    assert stored_date("2027-12-31 00:00:00") == DAY
    assert stored_date(DAY) is DAY
    assert stored_date(None) is None
