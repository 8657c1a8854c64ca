"""AIM symbology identifiers: the "]C1", "]E0", "]d2" ... a scanner may put before a code.

The identifier says which kind of barcode was read, and so how to read its data:
GS1 element strings, a GTIN, or plain text. See ISO/IEC 15424.
"""

from __future__ import annotations

from backroom.models.values import FrozenValue

# How a symbology's data is read.
GS1 = "gs1"  # GS1 element strings (or a Digital Link URI in a GS1 2D code)
GTIN = "gtin"  # an EAN/UPC or ITF-14 number
TEXT = "text"  # anything: location codes, SKUs, command codes, URLs

# Identifier -> (name, how its data is read). Others of the right shape are accepted
# as plain text under their ISO family name. A GS1 Digital Link URI travels in the plain
# 2D symbologies (]Q1 QR, ]d1 Data Matrix, ]J0 DotCode); the GS1 ones (FNC1 first: ]d2,
# ]Q3, ]J1, ]C1, ]e0) carry element strings only.
KNOWN = {
    "]A0": ("Code 39", TEXT),
    "]C0": ("Code 128", TEXT),
    "]C1": ("GS1-128", GS1),
    "]E0": ("EAN-13 / UPC-A / UPC-E", GTIN),
    "]E3": ("EAN/UPC with add-on", GTIN),
    "]E4": ("EAN-8", GTIN),
    "]I0": ("Interleaved 2 of 5", TEXT),
    "]I1": ("ITF-14", GTIN),
    "]e0": ("GS1 DataBar", GS1),
    "]e1": ("GS1 Composite", GS1),
    "]e2": ("GS1 Composite", GS1),
    "]d1": ("Data Matrix", TEXT),
    "]d2": ("GS1 DataMatrix", GS1),
    "]Q1": ("QR Code", TEXT),
    "]Q3": ("GS1 QR Code", GS1),
    "]J0": ("DotCode", TEXT),
    "]J1": ("GS1 DotCode", GS1),
    "]L0": ("PDF417", TEXT),
    "]z0": ("Aztec Code", TEXT),
}
FAMILIES = {
    "A": "Code 39",
    "B": "Telepen",
    "C": "Code 128",
    "D": "Code One",
    "E": "EAN/UPC",
    "F": "Codabar",
    "G": "Code 93",
    "H": "Code 11",
    "I": "Interleaved 2 of 5",
    "K": "Code 16K",
    "L": "PDF417",
    "M": "MSI",
    "Q": "QR Code",
    "X": "other barcode",
    "Z": "keyboard or non-barcode input",
    "d": "Data Matrix",
    "e": "GS1 DataBar",
    "z": "Aztec Code",
}
MODIFIERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Symbology(FrozenValue):
    """The barcode kind a scan came from, as its AIM identifier says."""

    code: str  # "]C1"
    name: str  # "GS1-128"
    reads_as: str  # GS1, GTIN or TEXT

    @property
    def is_gs1(self) -> bool:
        """True for GS1 symbologies, whose data are GS1 element strings."""
        return self.reads_as == GS1

    def as_dict(self) -> dict[str, str]:
        """The JSON form."""
        return {"code": self.code, "name": self.name, "reads_as": self.reads_as}


def split_aim(text: str) -> tuple[Symbology | None, str]:
    """The AIM identifier at the start of TEXT, if any, and the data after it."""
    if len(text) < 3 or text[0] != "]":
        return None, text
    code = text[:3]
    if code in KNOWN:
        name, reads_as = KNOWN[code]
        return Symbology(code, name, reads_as), text[3:]
    family, modifier = text[1], text[2]
    if family in FAMILIES and modifier in MODIFIERS:
        return Symbology(code, FAMILIES[family], TEXT), text[3:]
    return None, text


def ends_with_aim(text: str) -> bool:
    """True when TEXT ends in something shaped like an AIM identifier."""
    return len(text) >= 3 and split_aim(text[-3:])[0] is not None
