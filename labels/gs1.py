"""GS1 element strings for the labels: building them, checking them with biip, and the
readable form with parentheses. SSCC numbers are a rule of their own
(models/rules/identifiers.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from biip import ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_messages import GS1Message

GS = "\x1d"


@dataclass(frozen=True)
class Element:
    """One GS1 element: an application identifier and its value, such as (10) L-0424."""

    ai: str
    value: str


def element_string(elements: list[Element]) -> str:
    """The data a GS1-128 barcode carries: each AI and value, with a group separator
    (FNC1 in the barcode) after every variable-length field but the last."""
    parts = []
    for i, el in enumerate(elements):
        parts.append(el.ai + el.value)
        last = i == len(elements) - 1
        if not last and GS1ApplicationIdentifier.extract(el.ai).separator_required:
            parts.append(GS)
    return "".join(parts)


def fixed_length(ai: str) -> bool:
    """True for an AI of predefined length, which needs no separator after it."""
    return not GS1ApplicationIdentifier.extract(ai).separator_required


def in_gs1_order(elements: list[Element]) -> list[Element]:
    """ELEMENTS with the fixed-length AIs first, as GS1 recommends for concatenation
    (fewer separators), otherwise in the order given."""
    return sorted(elements, key=lambda e: not fixed_length(e.ai))


def splits(elements: list[Element], count: int) -> list[list[list[Element]]]:
    """Every way to carry ELEMENTS, in GS1's order, in COUNT symbols one after another."""
    ordered = in_gs1_order(elements)
    if count == 1:
        return [[ordered]]
    ways = []
    # The first symbols as full as they go: fixed-length AIs stay together at the top.
    for cut in range(len(ordered) - count + 1, 0, -1):
        for rest in splits(ordered[cut:], count - 1):
            ways.append([ordered[:cut], *rest])
    return ways


def readable(elements: list[Element]) -> str:
    """The human-readable interpretation: (01)09501101530003(17)261231(10)L-0424."""
    return "".join(f"({el.ai}){el.value}" for el in elements)


def problem(elements: list[Element]) -> str | None:
    """Why these elements do not make a valid GS1 element string, or None if they do.

    biip parses the element string back: check digits, dates, lengths and the GS1
    character set are all its to judge."""
    return _problem(tuple(elements))


@lru_cache(maxsize=1024)
def _problem(elements: tuple[Element, ...]) -> str | None:
    text = element_string(list(elements))
    try:
        parsed = GS1Message.parse(text)
    except ParseError as exc:
        return str(exc)
    for element in parsed.element_strings:
        error = element.gtin_error or element.sscc_error or element.gln_error
        if error:
            return error
    got = [(e.ai.ai, e.value) for e in parsed.element_strings]
    want = [(e.ai, e.value) for e in elements]
    if got != want:
        return f"{readable(list(elements))} reads back as {parsed.as_hri()}"
    return None


def gs1_date(day: dt.date) -> str:
    """A date as GS1 writes it: YYMMDD."""
    return day.strftime("%y%m%d")


def date_fits(day: dt.date, today: dt.date | None = None) -> bool:
    """True if YYMMDD of DAY reads back as DAY (GS1 places a two-digit year from 49
    years before to 50 years after the current year)."""
    today = today or dt.date.today()
    return -49 <= day.year - today.year <= 50
