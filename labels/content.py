"""What each kind of label says and which barcode carries it, as plain values.

kinds.py fills these from the database; layouts.py places them on a label. Nothing here
touches the database or knows about sizes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from backroom.labels import gs1
from backroom.labels.symbols import Symbol, code128_symbol, gs1_128_symbol, item_symbol
from backroom.models.rules.codes import GS


@dataclass(frozen=True)
class LocationContent:
    """A shelf, bin or area: its code, large, and its Code 128."""

    kind: ClassVar[str] = "location"
    code: str
    name: str = ""

    @property
    def key(self) -> str:
        """What the label is for, in job and file names."""
        return self.code

    def symbol(self) -> Symbol:
        """The barcode the label carries."""
        # The code is printed large above the bars: no second readable line.
        return code128_symbol(self.code, readable="")


@dataclass(frozen=True)
class ItemContent:
    """A trade item: EAN-13/EAN-8/GS1-128 (01) when it has a GTIN, else Code 128 of the SKU."""

    kind: ClassVar[str] = "item"
    sku: str
    name: str
    gtin: str | None = None  # GTIN-14 form, as stored

    @property
    def key(self) -> str:
        """What the label is for, in job and file names."""
        return self.sku

    def symbol(self) -> Symbol:
        """The barcode the label carries."""
        return item_symbol(self.gtin) if self.gtin else code128_symbol(self.sku, readable="")


@dataclass(frozen=True)
class LotContent:
    """A lot, or with serial=True one serial number: GS1-128 with (01) GTIN, (17) expiry
    and (10) lot, or (01) and (21) serial, when the item has a GTIN."""

    kind: ClassVar[str] = "lot"
    sku: str
    item_name: str
    number: str
    gtin: str | None = None
    expiry: dt.date | None = None
    serial: bool = False

    @property
    def key(self) -> str:
        """What the label is for, in job and file names."""
        return self.number

    def elements(self) -> list[gs1.Element]:
        """The GS1 elements, or [] when this lot cannot be written as GS1 (see note())."""
        if not self.gtin:
            return []
        elements = [gs1.Element("01", self.gtin)]
        if self.expiry and gs1.date_fits(self.expiry) and not self.serial:
            elements.append(gs1.Element("17", gs1.gs1_date(self.expiry)))
        elements.append(gs1.Element("21" if self.serial else "10", self.number))
        return elements if gs1.problem(elements) is None else []

    def note(self) -> str | None:
        """Why the barcode is plain Code 128 rather than GS1-128, if it is."""
        what = "Serial" if self.serial else "Lot"
        if not self.gtin:
            return f"Item {self.sku} has no GTIN: the {what.lower()} barcode is plain Code 128"
        if not self.elements():
            return (
                f"{what} number {self.number!r} has characters GS1 does not allow: "
                "the barcode is plain Code 128"
            )
        if self.expiry and not self.serial and not gs1.date_fits(self.expiry):
            return f"Expiry {self.expiry} cannot be written as YYMMDD: (17) left out"
        return None

    def symbol(self) -> Symbol:
        """The barcode the label carries."""
        elements = self.elements()
        return gs1_128_symbol(elements) if elements else code128_symbol(self.number)


@dataclass(frozen=True)
class LogisticContent:
    """A logistic unit (parcel, pallet) after the GS1 logistic label: ship-from and
    ship-to addresses, carrier, contents, and barcodes for (420) and (00) SSCC."""

    kind: ClassVar[str] = "sscc"
    sscc: str
    ship_from: tuple[str, ...] = ()
    ship_to: tuple[str, ...] = ()
    ship_to_postal_code: str | None = None
    carrier: str = ""
    contents: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """What the label is for, in job and file names."""
        return self.sscc

    def symbol(self) -> Symbol:
        """The barcode the label carries."""
        return gs1_128_symbol([gs1.Element("00", self.sscc)])

    def postal_symbol(self) -> Symbol | None:
        """(420) ship-to postal code, when there is one GS1 can carry."""
        if not self.ship_to_postal_code:
            return None
        code = self.ship_to_postal_code.replace(" ", "").upper()
        element = [gs1.Element("420", code)]
        return gs1_128_symbol(element) if gs1.problem(element) is None else None


@dataclass(frozen=True)
class BadgeContent:
    """A user's badge: the name, large, and Code 128 of BADGE: and the badge token."""

    kind: ClassVar[str] = "badge"
    name: str
    role: str
    code: str  # BADGE_PREFIX + token
    site: str = ""

    @property
    def key(self) -> str:
        """What the label is for, in job and file names."""
        return self.name

    def symbol(self) -> Symbol:
        """The barcode the label carries."""
        return code128_symbol(self.code, readable="")


@dataclass(frozen=True)
class CommandContent:
    """Command codes for scanners, each with its caption: ("CONFIRM", "CMD:CONFIRM")."""

    kind: ClassVar[str] = "commands"
    entries: tuple[tuple[str, str], ...]
    title: str = "Backroom command codes"

    @property
    def key(self) -> str:
        """What the label is for, in job and file names."""
        return ""


@dataclass(frozen=True)
class ScannerTestContent:
    """The scanner test: a code a correctly set-up scanner types back exactly."""

    kind: ClassVar[str] = "scanner-test"
    text: str

    @property
    def key(self) -> str:
        """What the label is for, in job and file names."""
        return ""

    def symbol(self) -> Symbol:
        """The barcode the label carries."""
        return code128_symbol(self.text, readable="")

    def readable_lines(self) -> list[str]:
        """The expected text, with the group separator shown by name."""
        before, _, after = self.text.partition(GS)
        return [before, "then the group separator <GS> (Ctrl+])", "then " + after]


Content = (
    LocationContent
    | ItemContent
    | LotContent
    | LogisticContent
    | BadgeContent
    | CommandContent
    | ScannerTestContent
)
