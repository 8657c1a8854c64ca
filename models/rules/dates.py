"""Dates and times: as people type them and files give them (one refusal for a bad one),
and as the database hands stored ones back (text on SQLite, objects on PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from backroom.models.errors import Refused

# What a person may type for a date at a scanner form, besides YYYY-MM-DD: the GS1 YYMMDD
# of a label, and the day-first forms printed on European packaging.
TYPED_DATE_FORMATS = ("%Y-%m-%d", "%y%m%d", "%d.%m.%Y", "%d/%m/%Y")
# The dates Backroom takes: wide enough for any expiry or record, and a year short of
# Python's last date, so that adding a shelf life or a day to one cannot overflow.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(9998, 12, 31)


def _named(text: str, what: str) -> str:
    return f"{what} {text!r}" if what else repr(text)


def parse_date(text: str, what: str = "Date", *, typed: bool = False) -> dt.date:
    """TEXT as a date: YYYY-MM-DD (ISO 8601), or with TYPED also YYMMDD, DD.MM.YYYY and
    DD/MM/YYYY. Refuses anything else, naming WHAT it was for (an empty WHAT names none)."""
    value = text.strip()
    day = _date_or_none(value, typed)
    if day is None:
        raise Refused(f"{_named(value, what)} is not a date as YYYY-MM-DD")
    return in_range(day, value, what)


def _date_or_none(value: str, typed: bool) -> dt.date | None:
    for fmt in TYPED_DATE_FORMATS if typed else ():
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    try:
        return None if typed else dt.date.fromisoformat(value)
    except ValueError:
        return None


def in_range(day: dt.date, text: str, what: str = "Date") -> dt.date:
    """DAY, when it lies between FIRST_DATE and LAST_DATE; else a refusal naming TEXT."""
    if not FIRST_DATE <= day <= LAST_DATE:
        raise Refused(f"{_named(text, what)} is not between {FIRST_DATE} and {LAST_DATE}")
    return day


def optional_date(text: str | None, what: str = "Date", *, typed: bool = False) -> dt.date | None:
    """Like parse_date, but nothing typed (None or blanks) is no date."""
    if text is None or not text.strip():
        return None
    return parse_date(text, what, typed=typed)


def parse_time(text: str, what: str = "Time") -> dt.datetime:
    """TEXT as a UTC time, YYYY-MM-DD HH:MM or any ISO 8601 time; one with a time zone is
    turned into UTC. Refuses anything else, naming WHAT it was for."""
    value = text.strip()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Refused(f"{_named(value, what)} is not a time as 'YYYY-MM-DD HH:MM'") from None
    in_range(moment.date(), value, what)
    try:
        return as_utc(moment)
    except OverflowError:
        raise Refused(f"{_named(value, what)} is not a time Backroom can keep") from None


def as_utc(moment: dt.datetime) -> dt.datetime:
    """MOMENT as the naive UTC time Backroom stores; a naive one is taken as UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def stored_time(value: dt.datetime | str) -> dt.datetime:
    """A stored time as the database hands it back: text on SQLite, datetime on PostgreSQL."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def stored_date(value: dt.date | str | None) -> dt.date | None:
    """A stored date as the database hands it back: text on SQLite (perhaps with a time
    after it), date on PostgreSQL, or None."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
