"""Barcode symbols, independent of size: the bars in modules, the quiet zones, the data a
scanner will transmit and the readable line printed with it."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Literal

import barcode
from biip import ParseError
from biip.gtin import Gtin, GtinFormat

from backroom.labels import code128, gs1
from backroom.models.errors import Refused

Symbology = Literal["code128", "ean13", "ean8"]


@dataclass(frozen=True)
class Symbol:
    """A linear barcode ready to be placed on a label."""

    symbology: Symbology
    data: str  # what a scanner transmits; GS1 fields separated by ASCII 29
    gs1: bool
    widths: tuple[int, ...]  # modules: bar, space, bar, ..., bar
    quiet_left: int  # modules of blank space the symbol needs on each side
    quiet_right: int
    readable: str  # the line printed under the bars
    code: code128.Code128 | None = None  # the code sets, for ZPL
    parts: tuple[str, ...] = ()  # the readable line element by element, where it may wrap

    @property
    def modules(self) -> int:
        """Width in modules, quiet zones included."""
        return self.quiet_left + sum(self.widths) + self.quiet_right


def code128_symbol(text: str, readable: str | None = None) -> Symbol:
    """Code 128 of TEXT as it is (a location code, a SKU, a command code)."""
    code = code128.encode(text)
    return Symbol(
        "code128",
        text,
        False,
        tuple(code.widths()),
        code128.QUIET_ZONE,
        code128.QUIET_ZONE,
        text if readable is None else readable,
        code,
    )


def gs1_128_symbol(elements: list[gs1.Element]) -> Symbol:
    """GS1-128 of these elements; refuses what biip does not accept as GS1."""
    why = gs1.problem(elements)
    if why:
        raise Refused(f"{gs1.readable(elements)} is not a valid GS1 element string: {why}")
    data = gs1.element_string(elements)
    code = code128.encode(data, gs1=True)
    return Symbol(
        "code128",
        data,
        True,
        tuple(code.widths()),
        code128.QUIET_ZONE,
        code128.QUIET_ZONE,
        gs1.readable(elements),
        code,
        tuple(gs1.readable([e]) for e in elements),
    )


def _ean(kind: Literal["ean13", "ean8"], digits: str) -> Symbol:
    # python-barcode computes the check digit from the first 12 (7) digits and would
    # silently replace a wrong one: give it the payload and compare.
    symbol = barcode.get_barcode_class(kind)(digits[:-1])
    if symbol.get_fullcode() != digits:
        raise Refused(f"{digits} has a wrong check digit")
    bits = symbol.build()[0]
    widths = tuple(len(list(run)) for _, run in groupby(bits))
    quiet = (11, 7) if kind == "ean13" else (7, 7)
    return Symbol(kind, digits, False, widths, quiet[0], quiet[1], digits)


def item_symbol(gtin14: str) -> Symbol:
    """The barcode for a trade item's GTIN: EAN-8 or EAN-13 for a GTIN-8/12/13, and
    GS1-128 with (01) for a GTIN-14 with a packaging indicator."""
    try:
        kind = Gtin.parse(gtin14).format
    except ParseError as exc:
        raise Refused(f"GTIN {gtin14} is not valid: {exc}") from exc
    if kind == GtinFormat.GTIN_8:
        return _ean("ean8", gtin14[6:])
    if kind in (GtinFormat.GTIN_12, GtinFormat.GTIN_13):
        # A GTIN-12 as EAN-13 with a leading zero has the very bars of its UPC-A.
        return _ean("ean13", gtin14[1:])
    return gs1_128_symbol([gs1.Element("01", gtin14)])
