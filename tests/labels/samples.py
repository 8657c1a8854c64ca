"""Label contents to test with: one of each kind, and awkward ones."""

from __future__ import annotations

import datetime as dt

from backroom.labels.content import (
    BadgeContent,
    Content,
    ItemContent,
    LocationContent,
    LogisticContent,
    LotContent,
)
from backroom.labels.gs1 import in_gs1_order
from backroom.labels.lookup import command_content, scanner_test_content
from backroom.labels.sizes import LabelSize
from tests.labels.decode import Read

GTIN = "05901234123457"
GTIN_14 = "15901234123454"
SSCC = "376130321109103420"


def one_of_each() -> list[Content]:
    """A label of every kind with ordinary data."""
    return [
        LocationContent("A-01-02", "Aisle A, bay 1, level 2"),
        ItemContent("SKU-1", "Blue widget, large", GTIN),
        LotContent("SKU-1", "Blue widget, large", "L-0424", GTIN, dt.date(2031, 4, 24)),
        LotContent("PHONE", "Handheld terminal", "SN-000123", GTIN_14, serial=True),
        LogisticContent(
            SSCC,
            ship_from=("Backroom DC", "1 Dock Road", "12345 Springfield"),
            ship_to=("ACME Retail", "99 High Street", "SW1A 1AA London", "GB"),
            ship_to_postal_code="SW1A 1AA",
            carrier="DHL",
            contents=("12 x SKU-1 Blue widget", "3 x SKU-2 Cable ties"),
        ),
        BadgeContent("alice", "operator", "BADGE:0123456789", "Main DC"),
        command_content(),
        scanner_test_content(),
    ]


def data_of(content: Content, size: LabelSize) -> list:
    """What the label's barcodes must carry, top to bottom: the GS1 fields (AI, value)
    of a GS1 label, however many symbols they are split over, or the texts of others."""
    if hasattr(content, "entries"):
        return [code for _, code in content.entries]
    if isinstance(content, LogisticContent):
        # Only a full-size logistic label has room for (420) above the SSCC.
        postal = content.postal_symbol()
        tall = size.height_mm >= 90
        return ([("420", postal.data[3:])] if postal and tall else []) + [("00", content.sscc)]
    if isinstance(content, LotContent) and content.elements():
        return [(e.ai, e.value) for e in in_gs1_order(content.elements())]
    if isinstance(content, ItemContent) and content.symbol().gs1:
        return [("01", content.gtin)]
    return [content.symbol().data]


def carried(reads: list[Read]) -> list:
    """What a warehouse system takes in from these reads: GS1 fields of every GS1
    symbol (element string or Digital Link) in reading order, the text of the others."""
    out: list = []
    for read in reads:
        if read.gs1 or read.digital_link:
            out += read.fields()
        else:
            out.append(read.text)
    return out
