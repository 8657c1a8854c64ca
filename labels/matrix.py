"""2D symbols: GS1 DataMatrix (the element string, FNC1 first) and QR codes carrying a GS1
Digital Link URI, as grids of modules to be drawn a whole number of dots each.

The grids come from zxing-cpp's writer (zint inside): maintained, it encodes GS1
DataMatrix with FNC1 in first position and checks the element string as it does, and
it is already what the tests read labels back with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from backroom.labels import gs1
from backroom.models.errors import Refused

MatrixKind = Literal["datamatrix", "qr"]
DIGITAL_LINK_DOMAIN = "https://id.gs1.org"
# Path keys (primary identifiers) and the qualifiers that may follow each, in order
# (GS1 Digital Link standard); any other AI goes in the query string.
_KEYS = {"01": ("22", "10", "21"), "00": ()}
QUIET = {"datamatrix": 1, "qr": 4}  # modules of quiet zone on every side
QR_ERROR_CORRECTION = "M"
# Grey levels of zxing-cpp's image to module bits: dark below the middle.
_DARK = bytes(ord("1") if level < 128 else ord("0") for level in range(256))


@dataclass(frozen=True)
class MatrixSymbol:
    """A 2D symbol ready to be placed: its rows of modules ('1' dark), quiet zone and the
    data a scanner transmits."""

    kind: MatrixKind
    data: str  # a GS1 element string (ASCII 29 separators) or a Digital Link URI
    gs1: bool  # FNC1 first: a GS1 DataMatrix
    rows: tuple[str, ...]
    quiet: int
    readable: str  # the HRI printed beside it
    parts: tuple[str, ...] = ()  # the HRI element by element, one line each

    @property
    def columns(self) -> int:
        """Width in modules, without the quiet zone."""
        return len(self.rows[0])

    @property
    def height(self) -> int:
        """Height in modules, without the quiet zone."""
        return len(self.rows)


def digital_link(elements: list[gs1.Element], domain: str = DIGITAL_LINK_DOMAIN) -> str:
    """The GS1 Digital Link URI of ELEMENTS: the key and its qualifiers in the path in
    GS1's order, every other AI in the query, values percent-encoded."""
    by_ai = {e.ai: e.value for e in elements}
    key = next((ai for ai in _KEYS if ai in by_ai), None)
    if key is None:
        raise Refused(f"{gs1.readable(elements)} has no GTIN or SSCC for a Digital Link")
    path = [key, *(ai for ai in _KEYS[key] if ai in by_ai)]
    segments = "".join(f"/{ai}/{quote(by_ai[ai], safe='')}" for ai in path)
    rest = [e for e in elements if e.ai not in path]
    query = "&".join(f"{e.ai}={quote(e.value, safe='')}" for e in rest)
    return domain.rstrip("/") + segments + (f"?{query}" if query else "")


def datamatrix(elements: list[gs1.Element]) -> MatrixSymbol:
    """GS1 DataMatrix of ELEMENTS (ECC 200, FNC1 first, square)."""
    why = gs1.problem(elements)
    if why:
        raise Refused(f"{gs1.readable(elements)} is not a valid GS1 element string: {why}")
    bracketed = "".join(f"[{e.ai}]{e.value}" for e in elements)  # [ ] are outside AI 82
    # Square ECC 200: zint would otherwise pick a DMRE rectangle GS1 does not list.
    rows = _encode(bracketed, "DataMatrix", gs1=True, forceSquare=True)
    return MatrixSymbol(
        "datamatrix",
        gs1.element_string(elements),
        True,
        rows,
        QUIET["datamatrix"],
        gs1.readable(elements),
        _parts(elements),
    )


def qr_code(elements: list[gs1.Element], domain: str = DIGITAL_LINK_DOMAIN) -> MatrixSymbol:
    """A QR code carrying the GS1 Digital Link URI of ELEMENTS."""
    why = gs1.problem(elements)
    if why:
        raise Refused(f"{gs1.readable(elements)} is not a valid GS1 element string: {why}")
    uri = digital_link(elements, domain)
    rows = _encode(uri, "QRCode", ec_level=QR_ERROR_CORRECTION)
    return MatrixSymbol(
        "qr", uri, False, rows, QUIET["qr"], gs1.readable(elements), _parts(elements)
    )


def _parts(elements: list[gs1.Element]) -> tuple[str, ...]:
    return tuple(gs1.readable([e]) for e in elements)


def _encode(text: str, format_name: str, **options: object) -> tuple[str, ...]:
    import zxingcpp  # imported here: most labels are linear

    try:
        symbol = zxingcpp.create_barcode(
            text, getattr(zxingcpp.BarcodeFormat, format_name), **options
        )
    except ValueError as exc:
        raise Refused(f"{text!r} cannot be encoded as {format_name}: {exc}") from exc
    image = symbol.to_image(scale=1, add_quiet_zones=False)
    height, width = image.shape[:2]
    bits = bytes(memoryview(image)).translate(_DARK).decode("ascii")
    return tuple(bits[y * width : (y + 1) * width] for y in range(height))
