"""GS1 element strings, Digital Link URIs and typed (AI)value text, read with biip.

Everything a bad label or a bad scan can get wrong is a problem here, not a
warning: a wrong check digit (GTIN, SSCC, GLN), a date that does not exist, a
field of the wrong shape. A variable-length field that seems to have swallowed
the next element (its group separator lost) is flagged as suspect.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from biip import ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementString
from biip.upc import Upc

from backroom.models.rules.identifiers import GTIN_LENGTHS, check_digit, is_digits, is_sscc

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
}
HRI = re.compile(r"\((\d{2,4})\)([^()]*)")

ELEMENT_STRINGS = "element strings"
DIGITAL_LINK = "Digital Link URI"
TYPED = "typed (AI) text"


@dataclass(frozen=True)
class Element:
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


@dataclass(frozen=True)
class Swallowed:
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


@dataclass(frozen=True)
class GS1Reading:
    """What a GS1 code says, element by element, and what is wrong with it."""

    form: str  # ELEMENT_STRINGS, DIGITAL_LINK or TYPED
    elements: tuple[Element, ...]
    problem: str | None = None  # the code is invalid: a message for the worker
    swallowed: tuple[Swallowed, ...] = ()

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
    return HRI.match(data) is not None


def read_element_strings(data: str) -> GS1Reading:
    """Element strings as a GS1 barcode transmits them, GS between variable fields."""
    elements, problem = _extract_all(data.strip(GS))
    reading = GS1Reading(ELEMENT_STRINGS, tuple(elements), problem)
    return _checked(reading)


def read_typed(text: str) -> GS1Reading:
    """Element strings typed as (AI)value(AI)value, the way labels print them."""
    body = "".join(c for c in text if c not in " \t\r\n")
    elements: list[Element] = []
    position = 0
    for match in HRI.finditer(body):
        if match.start() != position:
            break
        ai, value = match.group(1), match.group(2)
        if _ai_of(ai + value) != ai:
            return GS1Reading(TYPED, tuple(elements), f"({ai}) is not a GS1 application identifier")
        element, problem = _take(ai + value, whole=True)
        if problem:
            return GS1Reading(TYPED, tuple(elements), problem)
        elements.append(element)
        position = match.end()
    if position != len(body):
        problem = f"{_quoted(body[position:])} is not (AI)value text such as (10)ABC123"
        return GS1Reading(TYPED, tuple(elements), problem)
    return _checked(GS1Reading(TYPED, tuple(elements)))


def read_digital_link(uri: str) -> GS1Reading:
    """A GS1 Digital Link URI, such as https://id.gs1.org/01/09521101530001/10/ABC1."""
    try:
        link = GS1DigitalLinkURI.parse(uri)
    except ParseError as exc:
        return GS1Reading(DIGITAL_LINK, (), _digital_link_problem(uri, exc))
    elements = tuple(_element(es) for es in link.element_strings)
    return _checked(GS1Reading(DIGITAL_LINK, elements))


def read_gtin(digits: str, *, upc_e: bool = False) -> tuple[str | None, str | None]:
    """The GTIN-14 form of an EAN/UPC/ITF-14 number, or what is wrong with it.

    With UPC_E (an EAN/UPC scan), eight digits are a UPC-E number, expanded to UPC-A.
    """
    if not is_digits(digits) or len(digits) not in GTIN_LENGTHS:
        return None, f"{_quoted(digits)} is not a GTIN: a GTIN has 8, 12, 13 or 14 digits"
    if upc_e and len(digits) == 8:
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
        element, problem = _take(rest, whole=False)
        if problem:
            if elements and _is_variable(elements[-1].ai) and not problem.startswith("("):
                last = elements[-1]
                problem += (
                    f" (it follows ({last.ai}) {last.name} {last.value!r}: "
                    f"a group separator may be lost)"
                )
            return elements, problem
        elements.append(element)
        rest = rest[len(element.ai) + len(element.value) :].lstrip(GS)
    if not elements:
        return elements, "The code is empty"
    return elements, None


def _take(rest: str, *, whole: bool) -> tuple[Element, None] | tuple[None, str]:
    """The first element string of REST (all of REST when WHOLE), or the problem."""
    try:
        ai = GS1ApplicationIdentifier.extract(rest)
    except ParseError:
        return None, f"{_quoted(rest)} does not start with a GS1 application identifier"
    field = rest[len(ai.ai) :].split(GS, 1)[0]
    name = NAMES.get(ai.ai, ai.description)
    if ai.ai in DATE_AIS and (problem := _date_problem(ai.ai, field[:6])):
        return None, problem
    try:
        es = GS1ElementString.parse(rest) if whole else GS1ElementString.extract(rest)
    except ParseError as exc:
        if "date" in str(exc):
            return None, f"({ai.ai}) {name} {field!r} is not a real date and time"
        return None, f"({ai.ai}) {name} must be {_shape(ai.format)}, not {_quoted(field)}"
    return _element(es), None


def _element(es: GS1ElementString) -> Element:
    return Element(
        ai=es.ai.ai,
        name=NAMES.get(es.ai.ai, es.ai.description),
        meaning=es.ai.description,
        value=es.value,
        date=es.date,
        decimal=es.decimal,
    )


def _checked(reading: GS1Reading) -> GS1Reading:
    """READING with its check digits and repeated AIs checked, and swallowing looked for."""
    if reading.problem:
        return reading
    seen: dict[str, str] = {}
    for element in reading.elements:
        problem = _check_digit_problem(element)
        if problem is None and seen.get(element.ai, element.value) != element.value:
            problem = f"({element.ai}) {element.name} appears twice with different values"
        if problem:
            return GS1Reading(reading.form, reading.elements, problem)
        seen[element.ai] = element.value
    if reading.form == ELEMENT_STRINGS:
        swallowed = tuple(filter(None, (_swallowed(e, seen) for e in reading.elements)))
        return GS1Reading(reading.form, reading.elements, None, swallowed)
    return reading


def _check_digit_problem(element: Element) -> str | None:
    """A wrong check digit in a GTIN, SSCC or GLN, in words."""
    ai, value = element.ai, element.value
    if ai in ("00", "01", "02", "03") or (ai.startswith("41") and len(ai) == 3):
        digits = value[: 18 if ai == "00" else 14 if ai in ("01", "02", "03") else 13]
        if not is_digits(digits):
            return None
        expected = check_digit(digits[:-1])
        if int(digits[-1]) != expected:
            return (
                f"({ai}) {element.name} {digits} has a wrong check digit: "
                f"it should end in {expected} (misprinted label or misread scan)"
            )
    return None


def _swallowed(element: Element, present: dict[str, str]) -> Swallowed | None:
    """ELEMENT, when its variable-length value ends in valid fixed-length elements."""
    if not _is_variable(element.ai):
        return None
    value = element.value
    for start in range(1, len(value) - 1):
        tail_text = value[start:]
        ai = _ai_of(tail_text)
        # Only a tail that starts with a fixed-length element (a date, a GTIN, a
        # weight) counts: a lot number that merely contains "10" or "21" is common.
        if ai is None or _is_variable(ai) or ai in present:
            continue
        tail, problem = _extract_all(tail_text)
        if problem or any(_check_digit_problem(e) for e in tail):
            continue
        if any(e.ai in present for e in tail):
            continue
        return Swallowed(element, value[:start], tuple(tail))
    return None


def _ai_of(text: str) -> str | None:
    try:
        return GS1ApplicationIdentifier.extract(text).ai
    except ParseError:
        return None


def _is_variable(ai: str) -> bool:
    try:
        return GS1ApplicationIdentifier.extract(ai).separator_required
    except ParseError:
        return False


def _date_problem(ai: str, value: str) -> str | None:
    """Why a YYMMDD value is not a date (DD=00 means the month's last day), or None."""
    if len(value) != 6 or not is_digits(value):
        return None  # the shape check says what is wrong
    name = NAMES.get(ai, f"({ai}) date")
    year, month, day = _full_year(int(value[:2])), int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12:
        return f"({ai}) {name} {value} is not a date: there is no month {month:02d}"
    last = calendar.monthrange(year, month)[1]
    if day > last:
        return (
            f"({ai}) {name} {value} is not a date: "
            f"{calendar.month_name[month]} {year} has {last} days"
        )
    return None


def _full_year(yy: int) -> int:
    """The year of a two-digit YY: at most 49 years back, 50 ahead (GS1 rule)."""
    now = dt.date.today().year
    year = now - now % 100 + yy
    if year - now > 50:
        return year - 100
    if now - year >= 50:
        return year + 100
    return year


def _shape(fmt: str) -> str:
    """A GS1 format such as N2+X..20 as words: "up to 20 characters"."""
    words = []
    for part in fmt.split("+")[1:]:
        part = part.strip("[]")
        match = re.fullmatch(r"([NXYZ])(\.\.)?(\d+)", part)
        if not match:
            return fmt
        kind = "digits" if match.group(1) == "N" else "characters"
        count = int(match.group(3))
        if count == 1:
            kind = kind[:-1]
        words.append(f"{'up to ' if match.group(2) else ''}{count} {kind}")
    return " then ".join(words) if words else fmt


def _quoted(text: str) -> str:
    shown = text if len(text) <= 24 else text[:21] + "..."
    return repr(shown.replace(GS, "<GS>"))


def _digital_link_problem(uri: str, exc: ParseError) -> str:
    message = str(exc)
    if "primary identifier" in message:
        return f"The web address {uri!r} is not a GS1 Digital Link: it names no product"
    if "date" in message:
        return f"The GS1 Digital Link {uri!r} holds a date that does not exist"
    return f"The GS1 Digital Link {uri!r} cannot be read: {message}"
