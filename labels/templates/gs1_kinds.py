"""The labels that carry GS1 data (items, lots and serial numbers, logistic units), laid
out within GS1's symbol sizes: barcodes first, at their X-dimension and bar height, the
text in the room that is left.

Each kind takes a SymbolChoice: linear (EAN or GS1-128), GS1 DataMatrix, a QR code with
a GS1 Digital Link URI, or auto (GS1-128 where a permitted layout holds it, else GS1
DataMatrix). What no permitted layout holds raises DoesNotFit.
"""

from __future__ import annotations

from dataclasses import dataclass

from backroom.labels import fonts, gs1
from backroom.labels.content import ItemContent, LogisticContent, LotContent
from backroom.labels.drawing import Drawing, Text
from backroom.labels.matrix import DIGITAL_LINK_DOMAIN, MatrixSymbol, datamatrix, qr_code
from backroom.labels.sizes import LabelSize
from backroom.labels.specs import DATA_CONTENT_MM, linear_spec, matrix_spec
from backroom.labels.templates.gs1_layout import (
    DoesNotFit,
    matrix_module,
    place_linear,
    place_matrix,
    plan_linear,
    plan_symbol,
)
from backroom.labels.templates.toolkit import MIN_TEXT_MM, Box, Canvas

CHOICES = ("auto", "linear", "datamatrix", "qr")


@dataclass(frozen=True)
class SymbolChoice:
    """Which symbol a GS1 label carries, and the domain of its Digital Link URIs."""

    kind: str = "auto"
    domain: str = DIGITAL_LINK_DOMAIN


def _min_lines(c: Canvas, lines: int) -> int:
    """Dots that LINES lines of the smallest text take, with their gaps."""
    return lines * (fonts.line_height(c.mm(MIN_TEXT_MM)) + c.mm(0.8))


def _matrix_symbol(elements: list[gs1.Element], choice: SymbolChoice) -> MatrixSymbol:
    if choice.kind == "qr":
        return qr_code(elements, choice.domain)
    return datamatrix(elements)


def _with_matrix(
    c: Canvas, area: Box, symbol: MatrixSymbol, what: str, *, logistic: bool = False
) -> tuple[Box, Box]:
    """Place SYMBOL at the top right of AREA with its readable lines under the text on
    the left; returns the room left for text and the box the HRI took."""
    spec = matrix_spec(logistic)
    module = matrix_module(c, symbol, spec, Box(area.x, area.y, area.w // 2, area.h))
    if module is None:
        raise DoesNotFit(
            f"The {what} {symbol.kind} does not fit a {c.size} mm label at {c.dpi} dpi "
            f"within GS1's sizes ({spec.describe()})"
        )
    across, _ = place_matrix(c, area, symbol, module)
    left = Box(area.x, area.y, area.w - across - c.mm(2), area.h)
    size = fonts.size_for_digits(spec.hri_mm * c.dpmm)
    parts = symbol.parts
    height = fonts.line_height(size) * len(parts)
    if any(fonts.text_width(p, size) > left.w for p in parts) or height > left.h:
        raise DoesNotFit(f"The readable lines of the {what} do not fit a {c.size} mm label")
    y = left.y + left.h - height
    for part in parts:
        y += c.line(Box(left.x, y, left.w, 0), part, size)
    return left.above(height + c.mm(1)), Box(left.x, left.y + left.h - height, left.w, height)


def item_label(content: ItemContent, size: LabelSize, dpi: int, choice: SymbolChoice) -> Drawing:
    """SKU, name (two lines at most), and the GTIN's EAN at the point-of-sale sizes or
    its GS1-128 at general distribution's, or a 2D symbol."""
    c = Canvas(size, dpi, f"item {content.sku}")
    gap = c.mm(0.8)
    area = c.area
    what = f"item {content.sku}"
    if choice.kind in ("datamatrix", "qr") and content.gtin:
        elements = [gs1.Element("01", content.gtin)]
        area, _ = _with_matrix(c, area, _matrix_symbol(elements, choice), what)
    elif content.gtin:
        symbol = content.symbol()
        spec = linear_spec(symbol.symbology)
        plan = plan_symbol(c, area, symbol, spec, area.h - _min_lines(c, 2))
        if plan is None:
            raise DoesNotFit(
                f"The {what} barcode does not fit a {size} mm label at {dpi} dpi within "
                f"GS1's sizes ({spec.describe()})"
            )
        area = area.above(place_linear(c, area, plan) + gap)
    else:  # no GTIN: Code 128 of the SKU, for the warehouse's own scanners
        used = c.text(area.top(area.h * 24 // 100), content.sku, bold=True, max_mm=14)
        area = area.below(used + gap)
        used = c.text(area.top(area.h * 30 // 100), content.name, lines=2, max_mm=8)
        c.barcode(area.below(used + gap), content.symbol(), max_module_mm=0.4, what=what)
        return c.drawing()
    used = c.text(area.top(area.h * 45 // 100), content.sku, bold=True, max_mm=14)
    c.text(area.below(used + gap), content.name, lines=2, max_mm=8)
    return c.drawing()


def lot_label(content: LotContent, size: LabelSize, dpi: int, choice: SymbolChoice) -> Drawing:
    """Item, lot (or serial) number and expiry in words, and the GS1 symbols: GS1-128 in
    one or more symbols at general distribution's sizes, or a 2D symbol."""
    what = "S/N" if content.serial else "LOT"
    c = Canvas(size, dpi, f"{'serial' if content.serial else 'lot'} {content.number}")
    gap = c.mm(0.8)
    area = c.area
    elements = content.elements()
    name = f"{what.lower()} {content.number}"
    if not elements:  # not GS1 (no GTIN, or a number GS1 cannot carry): plain Code 128
        bars = area.bottom(area.h // 2)
        used = c.barcode(bars, content.symbol(), max_module_mm=0.4, what=name)
        _lot_texts(c, area.above(bars.h - (bars.h - used) // 2 + gap), content, what)
        return c.drawing()
    if choice.kind in ("datamatrix", "qr"):
        area, _ = _with_matrix(c, area, _matrix_symbol(elements, choice), name)
        _lot_texts(c, area, content, what)
        return c.drawing()
    plan = plan_linear(c, area, elements, height=area.h - _min_lines(c, 3))
    if plan is None:
        if choice.kind == "auto":
            return lot_label(content, size, dpi, SymbolChoice("datamatrix", choice.domain))
        spec = linear_spec("code128")
        raise DoesNotFit(
            f"The {name} barcodes do not fit a {size} mm label at {dpi} dpi within "
            f"GS1's sizes ({spec.describe()}), not even split over several symbols"
        )
    _lot_texts(c, area.above(place_linear(c, area, plan) + gap), content, what)
    return c.drawing()


def _lot_texts(c: Canvas, area: Box, content: LotContent, what: str) -> None:
    gap = c.mm(0.8)
    head = f"{content.sku}  {content.item_name}"
    used = c.text(area.top(area.h * 28 // 100), head, max_mm=7)
    area = area.below(used + gap)
    share = 60 if content.expiry else 100
    number = f"{what} {content.number}"
    used = c.text(area.top(area.h * share // 100), number, bold=True, max_mm=14)
    area = area.below(used + gap)
    if content.expiry:
        # Never larger than the lot number: that is what people look for first.
        last = c.elements[-1] if used else None
        largest = last.size / c.dpmm if isinstance(last, Text) else 9.0
        c.text(area, f"EXP {content.expiry.isoformat()}", max_mm=min(9.0, largest))


def logistic_label(
    content: LogisticContent, size: LabelSize, dpi: int, choice: SymbolChoice
) -> Drawing:
    """The GS1 logistic label: addresses and carrier at the top, the SSCC (7 mm) and
    contents in the middle, (420) and (00) GS1-128 at the bottom, the SSCC lowest."""
    c = Canvas(size, dpi, f"sscc {content.sscc}", margin_mm=3.0)
    if size.height_mm < 90 and choice.kind not in ("datamatrix", "qr"):
        return _compact_logistic(c, content)
    gap = c.mm(1.2)
    line = max(2, c.mm(0.35))
    area = c.area
    sscc = plan_linear(
        c, area, [gs1.Element("00", content.sscc)], logistic=True, height=area.h // 2
    )
    if sscc is None:
        raise DoesNotFit(
            f"The SSCC barcode does not fit a {size} mm label at {dpi} dpi within GS1's "
            f"sizes ({linear_spec('code128', True).describe()})"
        )
    bottom = place_linear(c, area, sscc)
    area = area.above(bottom + gap)
    postal = content.postal_symbol()
    if postal is not None:
        spec = linear_spec("code128", logistic=True)
        plan = plan_symbol(c, area, postal, spec, area.h - c.mm(60))
        if plan is not None:  # (420) above the SSCC when there is room for it
            area = area.above(place_linear(c, area, plan) + gap)
    c.rule(area.x, area.y + area.h - line, area.w, line)
    area = area.above(line + gap)
    _logistic_top_and_middle(c, area, content, choice)
    return c.drawing()


def _logistic_top_and_middle(
    c: Canvas, area: Box, content: LogisticContent, choice: SymbolChoice
) -> None:
    gap = c.mm(1.2)
    line = max(2, c.mm(0.35))
    caption = c.mm(3)
    top = area.top(max(c.mm(14), area.h * 28 // 100))
    if choice.kind in ("datamatrix", "qr"):
        top = _logistic_matrix(c, area, top, content, choice)
    for box, head, lines in zip(
        top.columns(2, c.mm(3)), ("FROM", "TO"), (content.ship_from, content.ship_to), strict=True
    ):
        c.text(box.top(caption), head, bold=True)
        body = "\n".join(lines)
        c.text(box.below(caption + gap // 2), body, lines=len(lines) + 1, max_mm=5)
    c.rule(top.x + top.w // 2, top.y, line, top.h)
    area = area.below(top.h + gap)
    c.rule(area.x, area.y, area.w, line)
    area = area.below(line + gap)
    if content.carrier:
        used = c.text(area.top(c.mm(6)), f"CARRIER  {content.carrier}", bold=True)
        area = area.below(used + gap)
    used = c.text(area.top(caption), "SSCC", bold=True)
    area = area.below(used)
    area = area.below(_data_content(c, area, content.sscc) + gap)
    if content.ship_to_postal_code:
        text = f"SHIP TO POST CODE  {content.ship_to_postal_code}"
        used = c.text(area.top(c.mm(5)), text)
        area = area.below(used + gap)
    if content.contents:
        used = c.text(area.top(caption), "CONTENT", bold=True)
        area = area.below(used)
        body = "\n".join(content.contents)
        c.text(area.top(c.mm(14)), body, lines=len(content.contents) + 2, max_mm=4)


def _logistic_matrix(
    c: Canvas, area: Box, top: Box, content: LogisticContent, choice: SymbolChoice
) -> Box:
    """The 2D symbol of the SSCC at the top right, beside the addresses (its readable
    form is the GS1-128's, below); returns what is left of the top section."""
    symbol = _matrix_symbol([gs1.Element("00", content.sscc)], choice)
    spec = matrix_spec(logistic=True)
    module = matrix_module(c, symbol, spec, Box(area.x, area.y, area.w // 3, area.h // 2))
    if module is None:
        raise DoesNotFit(
            f"The SSCC {symbol.kind} does not fit a {c.size} mm label at {c.dpi} dpi "
            f"within GS1's sizes ({spec.describe()})"
        )
    down = (symbol.height + 2 * symbol.quiet) * module
    top = area.top(max(top.h, down))
    across, _ = place_matrix(c, top, symbol, module)
    return Box(top.x, top.y, top.w - across - c.mm(2), top.h)


def _data_content(c: Canvas, area: Box, sscc: str) -> int:
    """The SSCC as data content: digits 7 mm high where the label is wide enough (grouped
    when that fits too), else as large as fits. Returns the height taken."""
    from backroom.models.rules.identifiers import spaced_sscc

    size = fonts.size_for_digits(DATA_CONTENT_MM * c.dpmm)
    # Text may come to 2 mm of the edge: the line gets the label's width, not the area's.
    box = Box(c.mm(2), area.y, c.width - 2 * c.mm(2), area.h)
    for text in (spaced_sscc(sscc), sscc):
        if fonts.text_width(text, size) <= box.w and fonts.line_height(size) <= box.h:
            return c.line(box, text, size)
    return c.text(area.top(c.mm(10)), sscc, bold=True)


def _compact_logistic(c: Canvas, content: LogisticContent) -> Drawing:
    gap = c.mm(0.8)
    area = c.area
    plan = plan_linear(
        c, area, [gs1.Element("00", content.sscc)], logistic=True, height=area.h - _min_lines(c, 1)
    )
    if plan is None:
        raise DoesNotFit(
            f"The SSCC barcode does not fit a {c.size} mm label at {c.dpi} dpi within GS1's "
            f"sizes ({linear_spec('code128', True).describe()})"
        )
    area = area.above(place_linear(c, area, plan) + gap)
    to = ", ".join((*content.ship_to[:1], content.ship_to_postal_code or ""))
    if to.strip(", "):
        c.text(area, "TO " + to.strip(", "), bold=True)
    return c.drawing()
