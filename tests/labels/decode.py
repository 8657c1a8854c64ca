"""Reading labels back the way a scanner would: zxing-cpp, an independent decoder."""

from __future__ import annotations

from dataclasses import dataclass

import zxingcpp
from biip.gs1_messages import GS1Message
from PIL import Image


@dataclass(frozen=True)
class Read:
    """One barcode found on an image."""

    format: str  # Code128, EAN13, EAN8, UPCA
    text: str  # what a scanner transmits; GS1 separators as ASCII 29
    gs1: bool

    def fields(self) -> list[tuple[str, str]]:
        """The GS1 element strings, as (AI, value) pairs."""
        assert self.gs1, f"{self.text!r} is not GS1"
        return [(e.ai.ai, e.value) for e in GS1Message.parse(self.text).element_strings]


def read_all(image: Image.Image) -> list[Read]:
    """Every barcode on IMAGE, top to bottom."""
    found = zxingcpp.read_barcodes(image.convert("L"), text_mode=zxingcpp.TextMode.Plain)
    found = sorted(found, key=lambda b: (b.position.top_left.y, b.position.top_left.x))
    return [
        Read(
            b.format.name,
            b.text,
            b.symbology_identifier == "]C1" and b.content_type == zxingcpp.ContentType.GS1,
        )
        for b in found
    ]


def read_one(image: Image.Image) -> Read:
    """The single barcode on IMAGE."""
    found = read_all(image)
    assert len(found) == 1, f"expected one barcode, found {found}"
    return found[0]
