"""Reading labels back the way a scanner would: zxing-cpp, an independent decoder."""

from __future__ import annotations

from dataclasses import dataclass

import zxingcpp
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_messages import GS1Message
from PIL import Image

# Symbology identifiers of GS1-128, GS1 DataMatrix and GS1 QR Code: FNC1 first.
GS1_IDENTIFIERS = ("]C1", "]d2", "]Q3")


@dataclass(frozen=True)
class Read:
    """One barcode found on an image."""

    format: str  # Code128, EAN13, EAN8, UPCA, DataMatrix, QRCode
    text: str  # what a scanner transmits; GS1 separators as ASCII 29
    gs1: bool
    identifier: str = ""  # the symbology identifier, ]C1, ]d2, ]Q1 ...

    @property
    def digital_link(self) -> bool:
        """A plain QR code carrying a GS1 Digital Link URI."""
        return self.identifier == "]Q1" and self.text.startswith(("https://", "http://"))

    def fields(self) -> list[tuple[str, str]]:
        """The GS1 element strings, as (AI, value) pairs: from the element string, or
        from the Digital Link URI a QR code carries."""
        if self.digital_link:
            link = GS1DigitalLinkURI.parse(self.text)
            return [(e.ai.ai, e.value) for e in link.element_strings]
        assert self.gs1, f"{self.text!r} is not GS1"
        return [(e.ai.ai, e.value) for e in GS1Message.parse(self.text).element_strings]


def find_all(image: Image.Image) -> list[zxingcpp.Barcode]:
    """Every symbol zxing-cpp finds on IMAGE, top to bottom, as it reports them."""
    found = zxingcpp.read_barcodes(image.convert("L"), text_mode=zxingcpp.TextMode.Plain)
    return sorted(found, key=lambda b: (b.position.top_left.y, b.position.top_left.x))


def read_all(image: Image.Image) -> list[Read]:
    """Every barcode on IMAGE, top to bottom."""
    return reads_of(find_all(image))


def reads_of(found: list[zxingcpp.Barcode]) -> list[Read]:
    """What a scanner would transmit for each of these symbols."""
    return [
        Read(
            b.format.name,
            b.text,
            b.symbology_identifier in GS1_IDENTIFIERS
            and b.content_type == zxingcpp.ContentType.GS1,
            b.symbology_identifier,
        )
        for b in found
    ]


def read_one(image: Image.Image) -> Read:
    """The single barcode on IMAGE."""
    found = read_all(image)
    assert len(found) == 1, f"expected one barcode, found {found}"
    return found[0]
