"""GS1 element strings, Digital Link URIs and typed (AI)value text.

Checked by the GS1 Barcode Syntax Dictionary (`gs1_rules/`), as GS1's own Barcode
Syntax Engine checks them; biip then says what a valid value means (its date, its
decimal). Everything a bad label or a bad scan can get wrong is a problem here, not a
warning: a wrong check digit on any key, a date that does not exist, a country or
currency code that is not one, a character outside the AI's set (never stripped), AIs
that may not stand together. Missing companions ((10) without a GTIN) are a warning:
they may stand in another symbol of the label. A variable-length field that seems to
have swallowed the next element (its group separator lost) is flagged as suspect.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from backroom.models.rules.identifiers import GTIN_LENGTHS, check_digit, is_digits, is_sscc
from backroom.models.values import FrozenValue

# The GS1 tables and rules (gs1_rules/, digital_link) are imported in the functions that
# read GS1: a scan of a bin or a SKU, most scans, never loads them (start-up time).

GS = "\x1d"
DATE_AIS = ("11", "12", "13", "15", "16", "17")
COUNT_AIS = ("37", "30")  # (37) on a logistic unit first, then (30) on a trade item
# Short names for the AIs a warehouse meets daily; others use the GS1 description.
NAMES = {
    "00": "SSCC",
    "01": "GTIN",
    "02": "GTIN of contents",
    "10": "lot",
    "11": "production date",
    "12": "due date",
    "13": "packaging date",
    "15": "best before date",
    "16": "sell by date",
    "17": "expiry date",
    "21": "serial number",
    "30": "count",
    "37": "count of items",
    "400": "order number",
    "410": "ship-to GLN",
    "411": "bill-to GLN",
    "412": "purchased-from GLN",
    "413": "ship-for GLN",
    "414": "location GLN",
    "420": "ship-to postal code",
    "421": "ship-to postal code",
    "422": "country of origin",
    "7006": "first freeze date",
    "7007": "harvest date",
    "8006": "ITIP",
    "8017": "GSRN of the provider",
    "8018": "GSRN of the recipient",
}
AI_MARKER = re.compile(r"\((\d+)\)")  # any digits, so that "(1)" is named as wrong
TYPED_START = re.compile(r"\(\d{2,4}\)")  # what makes a code typed (AI) text at all

ELEMENT_STRINGS = "element strings"
DIGITAL_LINK = "Digital Link URI"
TYPED = "typed (AI) text"


class Element(FrozenValue):
    """One GS1 element string: application identifier, value, and what it means."""

    ai: str
    name: str  # short name: "lot", "expiry date"
    meaning: str  # the GS1 description
    value: str  # as encoded
    date: dt.date | None = None
    decimal: Decimal | None = None

    @property
    def shown(self) -> str:
        """The value as a person reads it: dates as YYYY-MM-DD."""
        if self.date is not None:
            return self.date.isoformat()
        if self.decimal is not None:
            return str(self.decimal)
        return self.value

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        data: dict[str, object] = {"ai": self.ai, "name": self.name, "value": self.value}
        data["meaning"] = self.meaning
        if self.date is not None:
            data["date"] = self.date.isoformat()
        if self.decimal is not None:
            data["decimal"] = str(self.decimal)
        return data


class Swallowed(FrozenValue):
    """A variable-length field whose end reads as more elements: a lost separator."""

    element: Element
    head: str  # the value up to where the swallowed elements seem to start
    tail: tuple[Element, ...]

    @property
    def message(self) -> str:
        """What a worker is told."""
        tail = " and ".join(f"({e.ai}) {e.name} {e.shown}" for e in self.tail)
        return (
            f"The {self.element.name} {self.element.value!r} may really be "
            f"{self.element.name} {self.head!r} followed by {tail}: the group separator "
            f"seems lost (check the scanner with 'backroom scanner test')"
        )


class GS1Reading(FrozenValue):
    """What a GS1 code says, element by element, and what is wrong with it."""

    form: str  # ELEMENT_STRINGS, DIGITAL_LINK or TYPED
    elements: tuple[Element, ...]
    problem: str | None = None  # the code is invalid: a message for the worker
    swallowed: tuple[Swallowed, ...] = ()
    # GS1's required companions this code lacks (they may be on another symbol of the
    # same label): a warning, not a refusal.
    companions: tuple[str, ...] = ()

    @property
    def suspect(self) -> str | None:
        """Why the code cannot be taken at its word, if a separator seems lost."""
        return self.swallowed[0].message if self.swallowed else None

    def get(self, ai: str) -> Element | None:
        """The element with this AI, if present."""
        return next((e for e in self.elements if e.ai == ai), None)

    def value(self, ai: str) -> str | None:
        """The value of the element with this AI, if present."""
        element = self.get(ai)
        return element.value if element else None

    @property
    def expiry(self) -> dt.date | None:
        """(17) expiry date, else (15) best before date."""
        element = self.get("17") or self.get("15")
        return element.date if element else None

    @property
    def quantity(self) -> int | None:
        """(37) count of items in a logistic unit, else (30) variable count."""
        for ai in COUNT_AIS:
            if (element := self.get(ai)) is not None:
                return int(element.value)
        return None

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "form": self.form,
            "elements": [e.as_dict() for e in self.elements],
            "problem": self.problem,
            "suspect": self.suspect,
            "companions_missing": list(self.companions),
        }


def read_gs1(data: str) -> GS1Reading:
    """Read DATA as GS1: a Digital Link URI, typed (AI)value text, or element strings."""
    if is_digital_link(data):
        return read_digital_link(data)
    if is_typed(data):
        return read_typed(data)
    return read_element_strings(data)


def is_digital_link(data: str) -> bool:
    """True when DATA is a web address (a GS1 Digital Link, if anything)."""
    return data[:8].lower().startswith(("https://", "http://"))


def is_typed(data: str) -> bool:
    """True when DATA starts like (01)... as printed under a GS1 barcode."""
    return TYPED_START.match(data) is not None


def read_element_strings(data: str) -> GS1Reading:
    """Element strings as a GS1 barcode transmits them, GS between variable fields."""
    elements, problem = _extract_all(data.strip(GS))
    reading = GS1Reading(ELEMENT_STRINGS, tuple(elements), problem)
    return _checked(reading)


def read_typed(text: str) -> GS1Reading:
    """Element strings typed as (AI)value(AI)value, the way labels print them.

    A space inside a value is refused (GS1 allows none, and none is stripped); blanks
    between an (AI) and its value or before the next (AI) only set the elements apart,
    as people type them, since no GS1 value can start or end with one.
    """
    markers = list(AI_MARKER.finditer(text))
    elements: list[Element] = []
    for index, match in enumerate(markers):
        ai = match.group(1)
        if len(ai) not in (2, 3, 4):
            problem = f"{_quoted(text[match.start() :])} is not (AI)value text such as (10)ABC123"
            return GS1Reading(TYPED, tuple(elements), problem)
        end = markers[index + 1].start() if index + 1 < len(markers) else len(text)
        value = text[match.end() : end].strip(" ")
        if (problem := _value_problem(ai, value)) is not None:
            return GS1Reading(TYPED, tuple(elements), problem)
        elements.append(element_of(ai, value))
    return _checked(GS1Reading(TYPED, tuple(elements)))


def read_digital_link(uri: str) -> GS1Reading:
    """A GS1 Digital Link URI, such as https://id.gs1.org/01/09521101530001/10/ABC1."""
    from backroom.scanners.digital_link import split_link

    parts = split_link(uri)
    if parts.problem:
        return GS1Reading(DIGITAL_LINK, (), parts.problem)
    elements: list[Element] = []
    for ai, value in parts.pairs:
        if (problem := _value_problem(ai, value)) is not None:
            return GS1Reading(DIGITAL_LINK, tuple(elements), problem)
        elements.append(element_of(ai, value))
    return _checked(GS1Reading(DIGITAL_LINK, tuple(elements)))


def read_gtin(digits: str, *, upc_e: bool = False) -> tuple[str | None, str | None]:
    """The GTIN-14 form of an EAN/UPC/ITF-14 number, or what is wrong with it.

    With UPC_E (an EAN/UPC scan), eight digits are a UPC-E number, expanded to UPC-A.
    """
    if not is_digits(digits) or len(digits) not in GTIN_LENGTHS:
        return None, f"{_quoted(digits)} is not a GTIN: a GTIN has 8, 12, 13 or 14 digits"
    if upc_e and len(digits) == 8:
        from biip import ParseError  # biip: ~120 ms to import, only for a code that needs it
        from biip.upc import Upc

        try:
            digits = Upc.parse(digits).as_upc_a()
        except ParseError:
            return (
                None,
                f"UPC-E {digits} has a wrong check digit (misprinted label or misread scan)",
            )
    expected = check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        return None, (
            f"GTIN {digits} has a wrong check digit: it should end in {expected} "
            f"(misprinted label or misread scan)"
        )
    return digits.zfill(14), None


def read_sscc(digits: str) -> str | None:
    """DIGITS when they are a valid 18-digit SSCC on their own, else None."""
    return digits if is_sscc(digits) else None


# --- reading element strings ----------------------------------------------------------


def _extract_all(data: str) -> tuple[list[Element], str | None]:
    elements: list[Element] = []
    rest = data
    while rest:
        taken, problem = _take(rest)
        if problem:
            if elements and _is_variable(elements[-1].ai) and not problem.startswith("("):
                last = elements[-1]
                problem += (
                    f" (it follows ({last.ai}) {last.name} {last.value!r}: "
                    f"a group separator may be lost)"
                )
            return elements, problem
        elements.append(taken)
        rest = rest[len(taken.ai) + len(taken.value) :].lstrip(GS)
    if not elements:
        return elements, "The code is empty"
    return elements, None


def _take(rest: str) -> tuple[Element, None] | tuple[None, str]:
    """The first element string of REST, or the problem.

    An AI of predefined length (GS1's table, such as (01) and (17)) takes exactly that
    many characters; any other runs to the next group separator or the end.
    """
    from backroom.scanners.gs1_rules.table import ai_at, spec

    ai = ai_at(rest)
    if ai is None:
        return None, f"{_quoted(rest)} does not start with a GS1 application identifier"
    ai_spec = spec(ai)
    body = rest[len(ai) :]
    if ai_spec.predefined and ai_spec.fixed_length is not None:
        value = body[: ai_spec.fixed_length]
    else:
        value = body.split(GS, 1)[0]
    if (problem := _value_problem(ai, value)) is not None:
        if not ai_spec.predefined:
            problem += _lost_separator_hint(ai, value)
        return None, problem
    return element_of(ai, value), None


def _lost_separator_hint(ai: str, value: str) -> str:
    """Where a bad variable-length value would split into valid elements, that split."""
    for start in range(len(value) - 2, 0, -1):  # the longest value that is valid first
        if _value_problem(ai, value[:start]) is None:
            tail, problem = _extract_all(value[start:])
            if problem is None:
                then = " and ".join(f"({e.ai}) {e.name} {e.shown}" for e in tail)
                return (
                    f" (it may be {value[:start]!r} followed by {then}: "
                    f"a group separator may be lost)"
                )
    return ""


def _value_problem(ai: str, value: str) -> str | None:
    from backroom.scanners.gs1_rules.checks import value_problem
    from backroom.scanners.gs1_rules.table import spec

    ai_spec = spec(ai)
    if ai_spec is None:
        return f"({ai}) is not a GS1 application identifier"
    return value_problem(ai_spec, value, name_of(ai))


def name_of(ai: str) -> str:
    """The short name of AI: ours for the daily ones, else biip's or GS1's title."""
    if ai in NAMES:
        return NAMES[ai]
    from biip import ParseError  # biip: only once a GS1 code is read
    from biip.gs1_application_identifiers import GS1ApplicationIdentifier

    try:
        return GS1ApplicationIdentifier.extract(ai).description
    except ParseError:
        from backroom.scanners.gs1_rules.table import spec

        ai_spec = spec(ai)
        return ai_spec.title.lower() if ai_spec else f"AI {ai}"


def element_of(ai: str, value: str) -> Element:
    """The Element for a valid value; biip reads its date or decimal where it can."""
    from biip import ParseError  # biip: only once a GS1 code is read
    from biip.gs1_element_strings import GS1ElementString

    name = name_of(ai)
    try:
        es = GS1ElementString.parse(ai + value)
    except ParseError:
        return Element(ai=ai, name=name, meaning=name, value=value)
    if es.ai.ai != ai or es.value != value:
        # biip split it otherwise (its (7007) takes a second date of any length).
        return Element(ai=ai, name=name, meaning=es.ai.description, value=value)
    return Element(
        ai=ai, name=name, meaning=es.ai.description, value=value, date=es.date, decimal=es.decimal
    )


def _checked(reading: GS1Reading) -> GS1Reading:
    """READING with repeated and exclusive AIs checked, companions named, and swallowed
    separators looked for."""
    from backroom.scanners.gs1_rules.checks import companions_missing, pairing_problem

    if reading.problem:
        return reading
    seen: dict[str, str] = {}
    for element in reading.elements:
        if seen.get(element.ai, element.value) != element.value:
            problem = f"({element.ai}) {element.name} appears twice with different values"
            return GS1Reading(reading.form, reading.elements, problem)
        seen[element.ai] = element.value
    names = {e.ai: e.name for e in reading.elements}
    if (problem := pairing_problem(names, names)) is not None:
        return GS1Reading(reading.form, reading.elements, problem)
    companions = tuple(companions_missing(names, names))
    swallowed: tuple[Swallowed, ...] = ()
    if reading.form == ELEMENT_STRINGS:
        swallowed = tuple(filter(None, (_swallowed(e, seen) for e in reading.elements)))
    return GS1Reading(reading.form, reading.elements, None, swallowed, companions)


def _swallowed(element: Element, present: dict[str, str]) -> Swallowed | None:
    """ELEMENT, when its variable-length value ends in valid fixed-length elements."""
    from backroom.scanners.gs1_rules.table import ai_at

    if not _is_variable(element.ai):
        return None
    value = element.value
    for start in range(1, len(value) - 1):
        tail_text = value[start:]
        ai = ai_at(tail_text)
        # Only a tail that starts with a fixed-length element (a date, a GTIN, a
        # weight) counts: a lot number that merely contains "10" or "21" is common.
        if ai is None or _is_variable(ai) or ai in present:
            continue
        tail, problem = _extract_all(tail_text)
        if problem or any(e.ai in present for e in tail):
            continue
        return Swallowed(element, value[:start], tuple(tail))
    return None


def _is_variable(ai: str) -> bool:
    """True when the AI's value runs to a group separator (GS1's predefined-length table)."""
    from backroom.scanners.gs1_rules.table import spec

    ai_spec = spec(ai)
    return ai_spec is not None and not ai_spec.predefined


def _quoted(text: str) -> str:
    shown = text if len(text) <= 24 else text[:21] + "..."
    return repr(shown.replace(GS, "<GS>"))
